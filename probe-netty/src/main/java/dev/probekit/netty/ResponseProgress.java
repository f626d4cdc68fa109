package dev.probekit.netty;

import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Follows the HTTP responses written on one connection, message by message, to tell where each
 * request's final response ends. Interim responses ({@code 100 Continue}, {@code 103 Early Hints})
 * end nothing; {@code 101 Switching Protocols} is final. Event loop only.
 */
final class ResponseProgress {
  private boolean interim;

  /** Whether {@code msg} starts a final (non-interim) response. */
  static boolean isFinalResponseHead(Object msg) {
    if (!(msg instanceof HttpResponse)) {
      return false;
    }
    int code = ((HttpResponse) msg).status().code();
    return code >= 200 || code == 101;
  }

  /**
   * Feeds the next outbound message, in write order.
   *
   * @return whether {@code msg} completes a final response, so its request is answered
   */
  boolean endsFinalResponse(Object msg) {
    if (msg instanceof HttpResponse) {
      interim = !isFinalResponseHead(msg);
    }
    if (msg instanceof LastHttpContent) {
      boolean wasInterim = interim;
      interim = false;
      return !wasInterim;
    }
    return false;
  }
}

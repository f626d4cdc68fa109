package dev.probekit.core.internal;

/**
 * What {@link NioHttpServer} asks for each well-formed request head. Called on the server's one
 * thread, so it must not block: return a ready {@link HttpAnswer}, or {@link HttpAnswer#later} for
 * one that takes time.
 */
@FunctionalInterface
public interface HttpHandler {

  /**
   * The answer to {@code request}. A request body, if one was declared, is never read: the server
   * closes the connection after the answer.
   *
   * @param request the parsed head
   * @return the answer; a {@link Throwable} thrown here is logged and answered 503
   */
  HttpAnswer handle(RequestHead request);
}

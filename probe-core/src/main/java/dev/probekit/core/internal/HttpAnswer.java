package dev.probekit.core.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * A response ready for the wire: the status line and headers rendered once, in each of the three
 * ways an answer can end ({@link Persistence}), plus the body, all as read-only buffers that {@link
 * NioHttpServer} writes with one gathering write and no copy. Or, from {@link #later}, the promise
 * of one.
 *
 * <p>Immutable and safe to share between connections, threads and servers.
 */
public final class HttpAnswer {

  /** How the connection goes on after an answer, which decides its {@code Connection} header. */
  public enum Persistence {
    /** HTTP/1.1 keep-alive: no {@code Connection} header. */
    KEEP_ALIVE,
    /** HTTP/1.0 keep-alive, which must be said: {@code Connection: keep-alive}. */
    KEEP_ALIVE_HTTP10,
    /** The last answer on this connection: {@code Connection: close}. */
    CLOSE
  }

  private static final byte[][] ENDINGS = {
    "\r\n".getBytes(StandardCharsets.US_ASCII),
    "Connection: keep-alive\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
    "Connection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII)
  };

  private final int status;
  private final ByteBuffer[] heads;
  private final ByteBuffer body;
  private final CompletionStage<HttpAnswer> later;
  /** For a {@link #watch}: how long to wait at most (else 0), what then, and what if abandoned. */
  private final long timeoutNanos;
  private final Supplier<HttpAnswer> onTimeout;
  private final Runnable onAbandon;

  private HttpAnswer(int status, ByteBuffer[] heads, ByteBuffer body, CompletionStage<HttpAnswer> later) {
    this(status, heads, body, later, 0, null, null);
  }

  private HttpAnswer(
      int status,
      ByteBuffer[] heads,
      ByteBuffer body,
      CompletionStage<HttpAnswer> later,
      long timeoutNanos,
      Supplier<HttpAnswer> onTimeout,
      Runnable onAbandon) {
    this.status = status;
    this.heads = heads;
    this.body = body;
    this.later = later;
    this.timeoutNanos = timeoutNanos;
    this.onTimeout = onTimeout;
    this.onAbandon = onAbandon;
  }

  /**
   * Renders an answer.
   *
   * @param status the status code; the reason phrase is the standard one
   * @param headers header names (canonical case) and values, without Content-Length or Connection
   * @param contentLength the Content-Length to announce (for HEAD, the GET body's length)
   * @param body the body to write (empty for HEAD); its bytes are shared, not copied, so they must
   *     never change
   * @param direct whether to copy the rendered bytes into direct memory once, for answers that are
   *     cached and written many times (the JDK then writes them without a further copy)
   * @throws IllegalArgumentException if a header name or value contains a control character
   */
  public static HttpAnswer of(
      int status, List<Map.Entry<String, String>> headers, int contentLength, ByteBuffer body, boolean direct) {
    StringBuilder head = new StringBuilder(128);
    head.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
    for (Map.Entry<String, String> header : headers) {
      head.append(checked(header.getKey())).append(": ").append(checked(header.getValue())).append("\r\n");
    }
    if (status != 304) {
      // A 304 has no body; a Content-Length there would have to be the 200's (RFC 9110 §8.6).
      head.append("Content-Length: ").append(contentLength).append("\r\n");
    }
    byte[] prefix = head.toString().getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer[] heads = new ByteBuffer[ENDINGS.length];
    for (int i = 0; i < ENDINGS.length; i++) {
      byte[] bytes = new byte[prefix.length + ENDINGS[i].length];
      System.arraycopy(prefix, 0, bytes, 0, prefix.length);
      System.arraycopy(ENDINGS[i], 0, bytes, prefix.length, ENDINGS[i].length);
      heads[i] = readOnly(ByteBuffer.wrap(bytes), direct);
    }
    return new HttpAnswer(status, heads, readOnly(body.duplicate(), direct), null);
  }

  /**
   * A plain-text answer with the probe contract's headers, for the server's own rejections.
   *
   * @param status the status code
   * @param text one short line, without a line break
   */
  public static HttpAnswer text(int status, String text) {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    return of(
        status,
        List.of(
            Map.entry("Content-Type", "text/plain; charset=utf-8"),
            Map.entry("Cache-Control", "no-store"),
            Map.entry("X-Content-Type-Options", "nosniff")),
        body.length,
        ByteBuffer.wrap(body),
        true);
  }

  /**
   * An answer that is not ready yet: the connection waits for {@code later} without holding the
   * server's thread, and reads nothing more from its peer meanwhile (answers stay in order).
   *
   * @param later completes with the answer; if it completes exceptionally the connection is closed
   */
  public static HttpAnswer later(CompletionStage<HttpAnswer> later) {
    return new HttpAnswer(0, null, null, Objects.requireNonNull(later, "later"));
  }

  /**
   * A long-poll: like {@link #later}, but the connection also watches for its peer leaving (then
   * {@code onAbandon} runs), answers {@code onTimeout} once {@code timeoutNanos} have passed, and
   * may be evicted at the connection cap (after every connection that is not waiting).
   *
   * @param later completes with the answer when something changed
   * @param timeoutNanos the longest wait
   * @param onTimeout the answer once the wait is over; called on the server's thread
   * @param onAbandon called on the server's thread if the connection closes before an answer
   */
  public static HttpAnswer watch(
      CompletionStage<HttpAnswer> later,
      long timeoutNanos,
      Supplier<HttpAnswer> onTimeout,
      Runnable onAbandon) {
    if (timeoutNanos <= 0) {
      throw new IllegalArgumentException("timeoutNanos: " + timeoutNanos + " (expected: > 0)");
    }
    return new HttpAnswer(
        0,
        null,
        null,
        Objects.requireNonNull(later, "later"),
        timeoutNanos,
        Objects.requireNonNull(onTimeout, "onTimeout"),
        Objects.requireNonNull(onAbandon, "onAbandon"));
  }

  /** Whether this is a {@link #watch}. */
  boolean isWatch() {
    return onTimeout != null;
  }

  long timeoutNanos() {
    return timeoutNanos;
  }

  HttpAnswer timedOut() {
    return onTimeout.get();
  }

  void abandoned() {
    onAbandon.run();
  }

  /** The status code (0 for an answer {@link #later}). */
  public int status() {
    return status;
  }

  /** The promised answer, or {@code null} if this one is ready. */
  CompletionStage<HttpAnswer> pending() {
    return later;
  }

  /** Fresh views of the head (ending as {@code persistence} says) and the body, to write. */
  ByteBuffer[] wire(Persistence persistence) {
    return new ByteBuffer[] {heads[persistence.ordinal()].duplicate(), body.duplicate()};
  }

  private static ByteBuffer readOnly(ByteBuffer bytes, boolean direct) {
    if (!direct) {
      return bytes.asReadOnlyBuffer();
    }
    ByteBuffer copy = ByteBuffer.allocateDirect(bytes.remaining());
    copy.put(bytes).flip();
    return copy.asReadOnlyBuffer();
  }

  private static String checked(String token) {
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      // A CR or LF would let a value start a header or a body of its own.
      if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
        throw new IllegalArgumentException("header: '" + token + "' (expected: no control characters)");
      }
    }
    return token;
  }

  /** The standard reason phrase of the statuses Probekit answers; empty for others (allowed). */
  static String reason(int status) {
    switch (status) {
      case 200: return "OK";
      case 304: return "Not Modified";
      case 400: return "Bad Request";
      case 404: return "Not Found";
      case 405: return "Method Not Allowed";
      case 413: return "Content Too Large";
      case 414: return "URI Too Long";
      case 431: return "Request Header Fields Too Large";
      case 503: return "Service Unavailable";
      case 505: return "HTTP Version Not Supported";
      default: return "";
    }
  }

  @Override
  public String toString() {
    return later != null ? "HttpAnswer{later}" : "HttpAnswer{" + status + ", " + body.remaining() + " body bytes}";
  }
}

package dev.probekit.core;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable HTTP response produced by {@link ProbeEndpoints}: a status code, headers and body
 * bytes, ready to be written by any server.
 *
 * <p>Default probe responses are rendered once per status change and shared by every request, so
 * writing one copies bytes and allocates nothing else. The body array is never exposed: use {@link
 * #writeBody(OutputStream)} or {@link #body()} (a copy).
 *
 * <p>Adapters write every header in {@link #headers()} (Content-Type, Cache-Control, X-Content-Type
 * -Options, ETag on a probe verdict, and Allow on a 405), a Content-Length of {@link #contentLength()}, and, unless the
 * request was HEAD, the body.
 */
public final class ProbeResponse {

  /** {@code text/plain; charset=utf-8}. */
  public static final String TEXT_PLAIN = "text/plain; charset=utf-8";

  /** {@code application/json}. */
  public static final String APPLICATION_JSON = "application/json";

  /** {@code application/health+json}, the IETF health-check response format. */
  public static final String APPLICATION_HEALTH_JSON = "application/health+json";

  private final int status;
  private final String contentType;
  private final List<Map.Entry<String, String>> headers;
  private final byte[] body;
  private final boolean headRequest;
  /** The ETag header's value, naming the status, or {@code null} if this is no probe verdict. */
  private final String etag;
  /**
   * The HEAD twin, made on first use and kept, so that a shared response answers HEAD without
   * allocating. A benign race: its fields are final, so any thread may make and publish it.
   */
  private ProbeResponse headVariant;

  private ProbeResponse(
      int status,
      String contentType,
      List<Map.Entry<String, String>> headers,
      byte[] body,
      boolean headRequest,
      String etag) {
    this.status = status;
    this.contentType = contentType;
    this.headers = headers;
    this.body = body;
    this.headRequest = headRequest;
    this.etag = etag;
  }

  /**
   * A response with the standard probe headers.
   *
   * @param status the HTTP status code
   * @param contentType the media type of {@code body}
   * @param body the body; copied
   * @return the response
   */
  public static ProbeResponse of(int status, String contentType, byte[] body) {
    return create(status, contentType, body.clone(), null);
  }

  /**
   * A plain-text response with the standard probe headers.
   *
   * @param status the HTTP status code
   * @param text the body, encoded as UTF-8
   * @return the response
   */
  public static ProbeResponse text(int status, String text) {
    return create(status, TEXT_PLAIN, text.getBytes(StandardCharsets.UTF_8), null);
  }

  /** A 405 plain-text response carrying {@code Allow: GET, HEAD}. */
  static ProbeResponse methodNotAllowed() {
    return methodNotAllowed("GET, HEAD");
  }

  /**
   * A 405 plain-text response with the standard probe headers and {@code Allow: <allow>}.
   *
   * @param allow the methods the resource accepts, such as {@code GET, POST}
   * @return the response
   */
  public static ProbeResponse methodNotAllowed(String allow) {
    return create(405, TEXT_PLAIN, "method not allowed\n".getBytes(StandardCharsets.UTF_8), allow);
  }

  private static ProbeResponse create(int status, String contentType, byte[] body, String allow) {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("status: " + status + " (expected: 100..599)");
    }
    Objects.requireNonNull(contentType, "contentType");
    List<Map.Entry<String, String>> headers = new ArrayList<>(4);
    headers.add(new SimpleImmutableEntry<>("Content-Type", contentType));
    headers.add(new SimpleImmutableEntry<>("Cache-Control", "no-store"));
    headers.add(new SimpleImmutableEntry<>("X-Content-Type-Options", "nosniff"));
    if (allow != null) {
      headers.add(new SimpleImmutableEntry<>("Allow", allow));
    }
    return new ProbeResponse(status, contentType, List.copyOf(headers), body, false, null);
  }

  /**
   * This response with an {@code ETag} header naming its status ({@link ETags}); this response
   * itself if it is no probe verdict (not 200 or 503) or already has one.
   *
   * @param strong whether the body is fully decided by the status (the default plain text)
   */
  ProbeResponse withEtag(boolean strong) {
    String tag = ETags.of(status, strong);
    if (tag == null || etag != null) {
      // Not a verdict, or a shared default answer that carries its strong tag already.
      return this;
    }
    List<Map.Entry<String, String>> tagged = new ArrayList<>(headers.size() + 1);
    tagged.addAll(headers);
    tagged.add(new SimpleImmutableEntry<>("ETag", tag));
    return new ProbeResponse(status, contentType, List.copyOf(tagged), body, headRequest, tag);
  }

  /**
   * A 304 answer to a request whose {@code If-None-Match} names {@code etag}: no body, the ETag
   * and the standard probe headers (RFC 9110 §15.4.5 keeps the ETag and Cache-Control of the 200).
   */
  static ProbeResponse notModified(String etag) {
    List<Map.Entry<String, String>> headers =
        List.of(
            new SimpleImmutableEntry<>("Cache-Control", "no-store"),
            new SimpleImmutableEntry<>("X-Content-Type-Options", "nosniff"),
            new SimpleImmutableEntry<>("ETag", etag));
    return new ProbeResponse(304, TEXT_PLAIN, headers, new byte[0], false, etag);
  }

  /** The {@code ETag} this answer carries, or {@code null}. */
  String etag() {
    return etag;
  }

  /**
   * The same response for a HEAD request: same status and headers, and a body of zero bytes whose
   * {@link #contentLength()} is still the GET body's length.
   *
   * @return the HEAD variant
   */
  public ProbeResponse forHead() {
    if (headRequest) {
      return this;
    }
    ProbeResponse head = headVariant;
    if (head == null) {
      head = new ProbeResponse(status, contentType, headers, body, true, etag);
      headVariant = head;
    }
    return head;
  }

  /** {@return the HTTP status code} */
  public int status() {
    return status;
  }

  /** {@return the Content-Type header's value} */
  public String contentType() {
    return contentType;
  }

  /** {@return every header to write, Content-Type included; unmodifiable} */
  public List<Map.Entry<String, String>> headers() {
    return headers;
  }

  /** {@return whether this is the HEAD variant, whose body must not be written} */
  public boolean isHead() {
    return headRequest;
  }

  /** {@return the length of the GET body, for Content-Length} */
  public int contentLength() {
    return body.length;
  }

  /** {@return the number of body bytes to write: 0 for HEAD, else {@link #contentLength()}} */
  public int bodyLength() {
    return headRequest ? 0 : body.length;
  }

  /**
   * Writes the body (nothing for HEAD) to {@code out} without allocating.
   *
   * @param out where to write the body
   * @throws IOException if {@code out} throws
   */
  public void writeBody(OutputStream out) throws IOException {
    if (!headRequest) {
      out.write(body, 0, body.length);
    }
  }

  /**
   * A read-only view of the body (empty for HEAD), without copying: for servers that write a
   * {@link ByteBuffer}, such as Netty's {@code Unpooled.wrappedBuffer}. Each call returns a new
   * view, so its position and limit belong to the caller.
   *
   * @return a new read-only view
   */
  public ByteBuffer bodyBuffer() {
    return ByteBuffer.wrap(body, 0, bodyLength()).asReadOnlyBuffer();
  }

  /** {@return a copy of the body bytes (empty for HEAD)} */
  public byte[] body() {
    return headRequest ? new byte[0] : body.clone();
  }

  /** {@return the body as UTF-8 text (empty for HEAD); for tests and logs} */
  public String bodyAsString() {
    return headRequest ? "" : new String(body, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ProbeResponse)) {
      return false;
    }
    ProbeResponse that = (ProbeResponse) o;
    return status == that.status
        && headRequest == that.headRequest
        && headers.equals(that.headers)
        && Arrays.equals(body, that.body);
  }

  @Override
  public int hashCode() {
    return 31 * Objects.hash(status, headers, headRequest) + Arrays.hashCode(body);
  }

  @Override
  public String toString() {
    return "ProbeResponse{" + status + " " + contentType + ", " + body.length + " bytes"
        + (headRequest ? ", HEAD" : "") + '}';
  }
}

package dev.probekit.core.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 over a plain socket, for requests that {@code java.net.http.HttpClient} refuses to send
 * (malformed percent escapes) and for checking the exact bytes on the wire (no body after HEAD).
 */
public final class RawHttp {
  private static final int TIMEOUT_MILLIS = 5_000;

  private RawHttp() {}

  /**
   * Sends one request with {@code Connection: close} and reads its response.
   *
   * @param base the server, such as {@code http://127.0.0.1:8081}, or with a path under which
   *     {@code target} is sent, such as {@code http://127.0.0.1:8081/app}
   * @param method the method, sent as is
   * @param target the request target, sent as is (no encoding)
   * @param headerLines extra header lines such as {@code "Accept: application/json"}
   */
  public static Response exchange(URI base, String method, String target, String... headerLines)
      throws IOException {
    try (Socket socket = open(base)) {
      write(socket.getOutputStream(), base, method, target, true, headerLines);
      return read(new BufferedInputStream(socket.getInputStream()), "HEAD".equals(method));
    }
  }

  /** Opens a socket to {@code base} with a read timeout, so no test can hang on a silent server. */
  public static Socket open(URI base) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), TIMEOUT_MILLIS);
    socket.setSoTimeout(TIMEOUT_MILLIS);
    return socket;
  }

  /** Writes a request head (no body). */
  public static void write(
      OutputStream out,
      URI base,
      String method,
      String target,
      boolean close,
      String... headerLines)
      throws IOException {
    StringBuilder request = new StringBuilder();
    // A base with a path (a servlet context such as /app) puts every target under it.
    String basePath = base.getRawPath() == null ? "" : base.getRawPath();
    request.append(method).append(' ').append(basePath).append(target).append(" HTTP/1.1\r\n");
    request.append("Host: ").append(base.getHost()).append(':').append(base.getPort()).append("\r\n");
    if (close) {
      request.append("Connection: close\r\n");
    }
    for (String line : headerLines) {
      request.append(line).append("\r\n");
    }
    request.append("\r\n");
    out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /**
   * Reads one response: the status line, the headers, and a body delimited by Content-Length,
   * chunked encoding, or the end of the stream. A HEAD response has no body, whatever its headers.
   */
  public static Response read(InputStream in, boolean head) throws IOException {
    String statusLine = readLine(in);
    if (statusLine == null) {
      throw new IOException("connection closed before a status line");
    }
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP/1.x status line: " + statusLine);
    }
    int status = Integer.parseInt(parts[1]);
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    String line;
    while ((line = readLine(in)) != null && !line.isEmpty()) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers
            .computeIfAbsent(line.substring(0, colon).trim(), k -> new ArrayList<>())
            .add(line.substring(colon + 1).trim());
      }
    }
    byte[] body;
    String transferEncoding = first(headers, "Transfer-Encoding");
    String contentLength = first(headers, "Content-Length");
    if (head || status == 204 || status == 304 || status < 200) {
      body = new byte[0];
    } else if (transferEncoding != null
        && transferEncoding.toLowerCase(Locale.ROOT).contains("chunked")) {
      body = readChunked(in);
    } else if (contentLength != null) {
      body = in.readNBytes(Integer.parseInt(contentLength));
    } else {
      body = in.readAllBytes();
    }
    return new Response(statusLine, status, headers, body);
  }

  private static byte[] readChunked(InputStream in) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = readLine(in);
      if (sizeLine == null) {
        throw new IOException("truncated chunked body");
      }
      int semicolon = sizeLine.indexOf(';');
      int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
      if (size == 0) {
        String trailer;
        while ((trailer = readLine(in)) != null && !trailer.isEmpty()) {
          // Trailers carry nothing the contract uses; read past them.
          continue;
        }
        return body.toByteArray();
      }
      body.write(in.readNBytes(size));
      readLine(in);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }

  private static String first(Map<String, List<String>> headers, String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** A response read off the wire. */
  public static final class Response {
    private final String statusLine;
    private final int status;
    private final Map<String, List<String>> headers;
    private final byte[] body;

    Response(String statusLine, int status, Map<String, List<String>> headers, byte[] body) {
      this.statusLine = statusLine;
      this.status = status;
      this.headers = headers;
      this.body = body;
    }

    public String statusLine() {
      return statusLine;
    }

    public int status() {
      return status;
    }

    /** The first value of a header (case-insensitive name), or {@code null}. */
    public String header(String name) {
      return first(headers, name);
    }

    public Map<String, List<String>> headers() {
      return headers;
    }

    public String body() {
      return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
      return statusLine + " " + headers + " " + body();
    }
  }
}

package dev.probekit.netty;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A raw HTTP/1.1 client on one socket, for what real clients hide: several requests written back
 * to back (pipelining), keep-alive, HEAD bodies, and whether the server closed the connection.
 */
final class RawHttp implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  RawHttp(int port) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    socket.setSoTimeout(5_000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  /** {@code GET path} with Host, as HTTP/1.1. */
  static String get(String path) {
    return request("GET", path, "");
  }

  /** A request with the given extra header lines (each ending in CRLF), no body. */
  static String request(String method, String path, String headers) {
    return method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n" + headers + "\r\n";
  }

  /** Writes raw bytes at once; several requests in one call are pipelined. */
  RawHttp send(String raw) throws IOException {
    out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return this;
  }

  /** Reads one response; {@code head} says the request was HEAD, so no body follows. */
  Response read(boolean head) throws IOException {
    String statusLine = line();
    if (statusLine == null) {
      throw new IOException("connection closed before a response");
    }
    String[] parts = statusLine.split(" ", 3);
    Map<String, String> headers = new LinkedHashMap<>();
    for (String line; !(line = line()).isEmpty(); ) {
      int colon = line.indexOf(':');
      headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
    }
    String length = headers.get("content-length");
    byte[] body = new byte[0];
    if (!head && length != null) {
      body = in.readNBytes(Integer.parseInt(length));
    }
    return new Response(parts[0], Integer.parseInt(parts[1]), headers, new String(body, StandardCharsets.UTF_8));
  }

  Response read() throws IOException {
    return read(false);
  }

  /** Whether the server has closed the connection: reading gives end-of-stream (or a reset). */
  boolean closedByServer() throws IOException {
    try {
      return in.read() == -1;
    } catch (SocketException e) {
      return true; // reset
    } catch (SocketTimeoutException e) {
      return false;
    }
  }

  /** Bytes available without blocking, to prove nothing followed a HEAD response. */
  int available() throws IOException {
    return in.available();
  }

  void shortTimeout(int millis) throws SocketException {
    socket.setSoTimeout(millis);
  }

  private String line() throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        byte[] bytes = buf.toByteArray();
        int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
      }
      buf.write(b);
    }
    return buf.size() == 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /** One parsed response. */
  static final class Response {
    final String version;
    final int status;
    final Map<String, String> headers;
    final String body;

    Response(String version, int status, Map<String, String> headers, String body) {
      this.version = version;
      this.status = status;
      this.headers = headers;
      this.body = body;
    }

    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    @Override
    public String toString() {
      return version + " " + status + " " + headers + " '" + body + "'";
    }
  }
}

package dev.probekit.servlet;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal HTTP/1.1 client over one persistent socket, so tests see exactly what goes over a
 * keep-alive connection: every header as sent (Connection included) and whether the server closed
 * the connection after a response. Every read is bounded by a socket timeout.
 */
final class RawHttp implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final int port;

  private RawHttp(int port) throws IOException {
    this.port = port;
    this.socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    socket.setSoTimeout(15_000);
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  /** Opens a connection to 127.0.0.1:{@code port}. */
  static RawHttp connect(int port) throws IOException {
    return new RawHttp(port);
  }

  /** Sends {@code method target} with a Host header and reads the whole response. */
  Response send(String method, String target) throws IOException {
    String request =
        method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAccept: */*\r\n\r\n";
    out.write(request.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return read("HEAD".equals(method));
  }

  /**
   * Whether the server has closed this connection: a read sees end of stream (or a reset) within
   * {@code millis}, rather than timing out on a connection still open.
   */
  boolean closedByServer(int millis) throws IOException {
    int previous = socket.getSoTimeout();
    socket.setSoTimeout(millis);
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      // A reset also means the server closed its end.
      return true;
    } finally {
      if (!socket.isClosed()) {
        socket.setSoTimeout(previous);
      }
    }
  }

  private Response read(boolean head) throws IOException {
    String statusLine = line();
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP/1 status line: " + statusLine);
    }
    int status = Integer.parseInt(parts[1]);
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (String line = line(); !line.isEmpty(); line = line()) {
      int colon = line.indexOf(':');
      headers
          .computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
          .add(line.substring(colon + 1).trim());
    }
    byte[] body;
    String length = first(headers, "content-length");
    String encoding = first(headers, "transfer-encoding");
    if (head || status == 204 || status == 304 || status < 200) {
      body = new byte[0];
    } else if (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
      body = chunked();
    } else if (length != null) {
      body = in.readNBytes(Integer.parseInt(length));
    } else {
      body = in.readAllBytes();
    }
    return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
  }

  private byte[] chunked() throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = line();
      int semi = sizeLine.indexOf(';');
      int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
      if (size == 0) {
        while (!line().isEmpty()) {
          // trailers: none expected, skipped
        }
        return body.toByteArray();
      }
      body.write(in.readNBytes(size));
      line();
    }
  }

  private String line() throws IOException {
    StringBuilder sb = new StringBuilder();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("connection closed after: '" + sb + "'");
      }
      if (b == '\n') {
        int end = sb.length();
        if (end > 0 && sb.charAt(end - 1) == '\r') {
          sb.setLength(end - 1);
        }
        return sb.toString();
      }
      sb.append((char) b);
    }
  }

  private static String first(Map<String, List<String>> headers, String name) {
    List<String> values = headers.get(name);
    return values == null ? null : values.get(0);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /** A response as read off the wire. */
  record Response(int status, Map<String, List<String>> headers, String body) {

    /** The first value of a header (name in any case), or null. */
    String header(String name) {
      return first(headers, name.toLowerCase(Locale.ROOT));
    }

    /** Whether the response tells the client to close the connection. */
    boolean saysClose() {
      String connection = header("connection");
      return connection != null && connection.toLowerCase(Locale.ROOT).contains("close");
    }
  }
}

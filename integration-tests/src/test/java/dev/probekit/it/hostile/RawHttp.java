package dev.probekit.it.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sends raw bytes over a fresh loopback connection and collects whatever comes back. */
final class RawHttp {
  private static final Pattern STATUS = Pattern.compile("(?m)^HTTP/\\d(?:\\.\\d)? (\\d{3})");
  private static final int MAX_RESPONSE = 512 * 1024;

  private RawHttp() {}

  /**
   * What the server did with one request.
   *
   * @param statuses every status line seen, in order (several for pipelined requests)
   * @param text the raw answer, ISO-8859-1 decoded
   * @param timedOut whether the server neither answered fully nor closed within the timeout
   */
  record Exchange(List<Integer> statuses, String text, boolean timedOut) {}

  /**
   * Writes {@code request}, half-closes so the server sees EOF, and reads until the server closes
   * the connection (or resets it, or {@code timeoutMillis} pass with no byte).
   */
  static Exchange send(InetSocketAddress address, byte[] request, int timeoutMillis) throws IOException {
    ByteArrayOutputStream answer = new ByteArrayOutputStream();
    boolean timedOut = false;
    try (Socket socket = new Socket()) {
      socket.setSoTimeout(timeoutMillis);
      socket.connect(address, timeoutMillis);
      try {
        socket.getOutputStream().write(request);
        socket.getOutputStream().flush();
        socket.shutdownOutput();
      } catch (IOException e) {
        // The server closed early (a limit was hit before it read everything): read what it said.
      }
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[8192];
      try {
        int n;
        while ((n = in.read(buffer)) >= 0 && answer.size() < MAX_RESPONSE) {
          answer.write(buffer, 0, n);
        }
      } catch (SocketTimeoutException e) {
        timedOut = true;
      } catch (IOException e) {
        // Reset by the server: a closed connection, a legitimate answer to bad input.
      }
    }
    String text = answer.toString(StandardCharsets.ISO_8859_1);
    List<Integer> statuses = new ArrayList<>();
    Matcher m = STATUS.matcher(text);
    while (m.find()) {
      statuses.add(Integer.parseInt(m.group(1)));
    }
    return new Exchange(statuses, text, timedOut);
  }

  /** A plain {@code GET path} as the kubelet sends it. */
  static byte[] get(String path) {
    return ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: kube-probe/1.32\r\n"
            + "Accept: */*\r\nConnection: close\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }
}

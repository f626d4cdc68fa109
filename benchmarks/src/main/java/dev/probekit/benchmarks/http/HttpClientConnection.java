package dev.probekit.benchmarks.http;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A minimal HTTP/1.1 client on one raw socket: writes a GET, reads the status line, the headers
 * and a {@code Content-Length} body, and reconnects when the server says {@code Connection:
 * close}. Enough for a load generator on loopback; it allocates almost nothing per request, so
 * the client costs the shared CPU as little as possible.
 */
final class HttpClientConnection implements AutoCloseable {
  private static final int TIMEOUT_MILLIS = 10_000;

  private final InetSocketAddress address;
  private final byte[] request;
  private final byte[] line = new byte[8192];
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  HttpClientConnection(InetSocketAddress address, String path, boolean keepAlive) {
    this.address = address;
    this.request =
        ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + address.getPort()
                + "\r\nUser-Agent: kube-probe/1.33\r\nAccept: */*\r\n"
                + (keepAlive ? "" : "Connection: close\r\n")
                + "\r\n")
            .getBytes(StandardCharsets.US_ASCII);
  }

  /** Sends one request and reads the whole response; returns the status code. */
  int get() throws IOException {
    if (socket == null) {
      connect();
    }
    out.write(request);
    out.flush();
    int status = -1;
    int contentLength = 0;
    boolean close = false;
    int n = readLine();
    if (n < 12) {
      throw new IOException("bad status line");
    }
    status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    while ((n = readLine()) > 0) {
      String header = new String(line, 0, n, StandardCharsets.US_ASCII);
      int colon = header.indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = header.substring(0, colon).trim();
      if (name.equalsIgnoreCase("Content-Length")) {
        contentLength = Integer.parseInt(header.substring(colon + 1).trim());
      } else if (name.equalsIgnoreCase("Connection")
          && header.substring(colon + 1).trim().equalsIgnoreCase("close")) {
        close = true;
      }
    }
    for (int i = 0; i < contentLength; i++) {
      if (in.read() < 0) {
        throw new IOException("body ended early");
      }
    }
    if (close) {
      close();
    }
    return status;
  }

  /** Reads one CRLF-terminated line into {@link #line}; returns its length without the CRLF. */
  private int readLine() throws IOException {
    int n = 0;
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed mid-response");
      }
      if (b == '\n') {
        return n > 0 && line[n - 1] == '\r' ? n - 1 : n;
      }
      if (n == line.length) {
        throw new IOException("header line too long");
      }
      line[n++] = (byte) b;
    }
  }

  private void connect() throws IOException {
    socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(TIMEOUT_MILLIS);
    socket.connect(address, TIMEOUT_MILLIS);
    in = new BufferedInputStream(socket.getInputStream(), 8192);
    out = socket.getOutputStream();
  }

  @Override
  public void close() {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // Closing a loopback socket we are done with: nothing to recover.
      }
      socket = null;
    }
  }
}

package dev.probekit.it.rollout;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A keep-alive HTTP/1.1 client sending requests back to back through the load balancer. It keeps
 * its connection until a response says {@code Connection: close}, and never retries: any request
 * without a complete 200 answer is a failure, recorded with its time and cause.
 */
final class LoadClient implements AutoCloseable {
  private final int port;
  private final String name;
  private final Random random;
  private final int maxWorkMillis;
  /** A fixed request path, such as {@code /} (the demo's database query), or null for /work. */
  private final String path;
  private final long t0;
  private final AtomicLong ok = new AtomicLong();
  private final AtomicLong connections = new AtomicLong();
  private final List<String> failures = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile boolean running = true;

  LoadClient(String name, int port, long seed, int maxWorkMillis, long t0) {
    this(name, port, seed, maxWorkMillis, t0, null);
  }

  /** A client that sends {@code GET path} every time instead of {@code /work?ms=N}. */
  LoadClient(String name, int port, long seed, int maxWorkMillis, long t0, String path) {
    this.path = path;
    this.name = name;
    this.port = port;
    this.random = new Random(seed);
    this.maxWorkMillis = maxWorkMillis;
    this.t0 = t0;
    this.thread = new Thread(this::run, name);
    this.thread.setDaemon(true);
    this.thread.start();
  }

  private void run() {
    Socket socket = null;
    InputStream in = null;
    int sent = 0;
    while (running && sent < 1_000_000) {
      sent++;
      int ms = random.nextInt(maxWorkMillis + 1);
      try {
        if (socket == null) {
          socket = new Socket(InetAddress.getLoopbackAddress(), port);
          socket.setSoTimeout(15_000);
          in = new BufferedInputStream(socket.getInputStream());
          connections.incrementAndGet();
        }
        socket.getOutputStream()
            .write(("GET " + (path != null ? path : "/work?ms=" + ms) + " HTTP/1.1\r\nHost: probekit-demo\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        Response r = read(in);
        if (r.status != 200) {
          failures.add(at() + " status " + r.status);
        } else {
          ok.incrementAndGet();
        }
        if (r.close) {
          socket.close();
          socket = null;
        }
      } catch (IOException e) {
        failures.add(at() + " " + e);
        closeQuietly(socket);
        socket = null;
      }
    }
    closeQuietly(socket);
  }

  private String at() {
    return String.format("%s at %d ms:", name, (System.nanoTime() - t0) / 1_000_000);
  }

  private record Response(int status, boolean close) {}

  private static Response read(InputStream in) throws IOException {
    String statusLine = line(in);
    if (statusLine == null) {
      throw new IOException("connection closed before the response");
    }
    if (!statusLine.startsWith("HTTP/1.")) {
      throw new IOException("not HTTP: " + statusLine);
    }
    int status = Integer.parseInt(statusLine.substring(9, 12));
    long length = -1;
    boolean close = false;
    String header;
    while ((header = line(in)) != null && !header.isEmpty()) {
      String lower = header.toLowerCase(Locale.ROOT);
      if (lower.startsWith("content-length:")) {
        length = Long.parseLong(lower.substring(15).trim());
      } else if (lower.startsWith("connection:") && lower.contains("close")) {
        close = true;
      }
    }
    if (header == null) {
      throw new IOException("connection closed in the headers");
    }
    if (length < 0) {
      throw new IOException("no Content-Length");
    }
    if (in.readNBytes((int) length).length != length) {
      throw new IOException("connection closed in the body");
    }
    return new Response(status, close);
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        String s = out.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      out.write(b);
    }
    return out.size() == 0 ? null : out.toString(StandardCharsets.ISO_8859_1);
  }

  private static void closeQuietly(Socket socket) {
    if (socket != null) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // Already broken; nothing to release.
      }
    }
  }

  long ok() {
    return ok.get();
  }

  long connections() {
    return connections.get();
  }

  List<String> failures() {
    return List.copyOf(failures);
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(20_000);
  }
}

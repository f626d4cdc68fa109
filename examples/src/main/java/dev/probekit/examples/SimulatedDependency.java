package dev.probekit.examples;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The demo's stand-in for a database: a real TCP server on a loopback port, speaking a one-line
 * protocol (a connection is greeted with {@code +OK} when the dependency is up, {@code -DOWN} when
 * it is down, then closed). The demo waits for its port to open at start-up, and its readiness
 * check reads the greeting, like a database ping; {@code POST /dependency/down} and {@code /up}
 * flip it.
 *
 * <p>Until it opens, the port is held by a bound, never-connected client socket: connects are
 * refused, and no other socket can take the port meanwhile. Once open, the listener stays open;
 * flipping only changes the greeting (closing and re-binding a port that has connections in
 * TIME_WAIT fails now and then).
 */
final class SimulatedDependency implements AutoCloseable {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private final int port;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "demo-dependency-timer");
            t.setDaemon(true);
            return t;
          });
  private Socket reservation;
  private ServerSocket listener;
  private volatile boolean up = true;
  private boolean closed;

  SimulatedDependency() {
    try {
      reservation = new Socket();
      reservation.bind(new InetSocketAddress(LOOPBACK, 0));
      port = reservation.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reserve a port for the simulated dependency", e);
    }
  }

  /** The loopback port it listens on once open. */
  int port() {
    return port;
  }

  /** Opens the port after {@code delayMillis}, as a database that is still booting does. */
  void openAfter(long delayMillis) {
    timer.schedule(this::open, delayMillis, TimeUnit.MILLISECONDS);
  }

  private synchronized void open() {
    if (closed || listener != null) {
      return;
    }
    try {
      reservation.close();
      ServerSocket server = new ServerSocket();
      server.setReuseAddress(true);
      server.bind(new InetSocketAddress(LOOPBACK, port), 50);
      listener = server;
      Thread acceptor = new Thread(() -> acceptLoop(server), "demo-dependency");
      acceptor.setDaemon(true);
      acceptor.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the simulated dependency on port " + port, e);
    }
  }

  /** Makes the dependency answer {@code +OK} (true) or {@code -DOWN} (false). */
  void set(boolean up) {
    this.up = up;
  }

  /**
   * One ping, as the readiness check does it: connect, read the greeting.
   *
   * @return whether it answered {@code +OK}
   * @throws IOException if it cannot be reached
   */
  boolean ping(int timeoutMillis) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(LOOPBACK, port), timeoutMillis);
      socket.setSoTimeout(timeoutMillis);
      String greeting =
          new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
              .readLine();
      return "+OK".equals(greeting);
    }
  }

  private void acceptLoop(ServerSocket server) {
    while (!server.isClosed()) {
      try (Socket client = server.accept()) {
        OutputStream out = client.getOutputStream();
        out.write((up ? "+OK\r\n" : "-DOWN\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
      } catch (SocketException e) {
        if (server.isClosed()) {
          return; // close() was called
        }
        // A client that went away before its greeting: keep serving the others.
      } catch (IOException expected) {
        // Same: one client's failure is not the server's.
      }
    }
  }

  @Override
  public synchronized void close() throws IOException {
    closed = true;
    timer.shutdownNow();
    if (listener != null) {
      listener.close();
    }
    reservation.close();
  }
}

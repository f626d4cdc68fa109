package dev.probekit.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The demo's stand-in for a database: a real TCP listener on a loopback port, so the demo's
 * dependency wait and readiness check do real connects. It opens a little after start-up (the
 * demo waits for it), and {@code POST /dependency/down} and {@code /up} close and reopen it.
 *
 * <p>While down, the port is held by an unconnected, bound client socket: no listener, so connects
 * are refused, and no other process can take the port meanwhile.
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
  private boolean closed;

  SimulatedDependency() {
    try {
      reservation = new Socket();
      reservation.setReuseAddress(true);
      reservation.bind(new InetSocketAddress(LOOPBACK, 0));
      port = reservation.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reserve a port for the simulated dependency", e);
    }
  }

  /** The loopback port it listens on when up. */
  int port() {
    return port;
  }

  /** Opens the listener after {@code delayMillis}. */
  void upAfter(long delayMillis) {
    timer.schedule(this::up, delayMillis, TimeUnit.MILLISECONDS);
  }

  /** Opens the listener, if it is not open. */
  synchronized void up() {
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

  /** Closes the listener, if it is open: connects are refused until {@link #up()}. */
  synchronized void down() {
    if (listener == null) {
      return;
    }
    try {
      listener.close();
      listener = null;
      Socket s = new Socket();
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(LOOPBACK, port));
      reservation = s;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close the simulated dependency", e);
    }
  }

  synchronized boolean isUp() {
    return listener != null;
  }

  private static void acceptLoop(ServerSocket server) {
    while (!server.isClosed()) {
      try (Socket ignored = server.accept()) {
        // A connect is all that the wait and the check ask for; close at once.
      } catch (SocketException e) {
        return; // the listener was closed by down() or close()
      } catch (IOException expected) {
        // A client that reset mid-accept: keep accepting.
      }
    }
  }

  @Override
  public synchronized void close() throws IOException {
    closed = true;
    timer.shutdownNow();
    if (listener != null) {
      listener.close();
      listener = null;
    }
    reservation.close();
  }
}

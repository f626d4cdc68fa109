package dev.probekit.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.SQLException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.h2.tools.Server;

/**
 * The demo's default database: an in-memory H2 database served by H2's TCP server on a loopback
 * port of its own, so the demo talks to it over JDBC/TCP exactly as it would to a remote database.
 * {@link #stop()} stops the server for real (open connections break, new ones are refused) and
 * {@link #start()} starts it again on the same port, with the same data.
 *
 * <p>While the server is not running, the port is held by a bound, never-connected client socket:
 * connects are refused, and the kernel does not hand the port out as an ephemeral port meanwhile.
 */
final class EmbeddedDatabase implements AutoCloseable {
  /** The user the demo connects as; H2 creates the database with it on the first connection. */
  static final String USER = "demo";

  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private final int port;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "demo-database-timer");
            t.setDaemon(true);
            return t;
          });
  private Socket reservation;
  private Server server;
  private boolean closed;

  EmbeddedDatabase() {
    reservation = reserve(0);
    port = reservation.getLocalPort();
  }

  /**
   * The JDBC URL: an in-memory database that lives as long as this JVM (DB_CLOSE_DELAY=-1), so
   * it keeps its data while the server is stopped.
   */
  String url() {
    return "jdbc:h2:tcp://" + LOOPBACK.getHostAddress() + ":" + port + "/mem:probekit;DB_CLOSE_DELAY=-1";
  }

  int port() {
    return port;
  }

  /** Starts the server after {@code delayMillis}, as a database that is still booting does. */
  void startAfter(long delayMillis) {
    timer.schedule(
        () -> {
          try {
            start();
          } catch (RuntimeException e) {
            System.err.println("probekit-demo: the embedded database did not start: " + e.getMessage());
          }
        },
        delayMillis,
        TimeUnit.MILLISECONDS);
  }

  /**
   * Starts the TCP server on its port; does nothing if it runs already.
   *
   * @return whether this call started it
   * @throws IllegalStateException if the port cannot be bound
   */
  synchronized boolean start() {
    if (closed || server != null) {
      return false;
    }
    closeReservation();
    try {
      // -ifNotExists: the first connection creates the in-memory database. Without
      // -tcpAllowOthers the server accepts loopback connections only.
      server = Server.createTcpServer("-tcpPort", String.valueOf(port), "-ifNotExists").start();
      return true;
    } catch (SQLException e) {
      reservation = reserve(port);
      throw new IllegalStateException("cannot start the embedded database on port " + port + ": " + e.getMessage(), e);
    }
  }

  /**
   * Stops the TCP server: the listener closes and every open connection is closed by the server.
   *
   * @return whether this call stopped it
   */
  synchronized boolean stop() {
    if (server == null) {
      return false;
    }
    server.stop();
    server = null;
    if (!closed) {
      reservation = reserve(port);
    }
    return true;
  }

  synchronized boolean running() {
    return server != null;
  }

  @Override
  public synchronized void close() {
    closed = true;
    timer.shutdownNow();
    stop();
    closeReservation();
  }

  private void closeReservation() {
    if (reservation != null) {
      try {
        reservation.close();
      } catch (IOException ignored) {
        // Closing an unconnected socket: nothing to flush, nothing left to release.
      }
      reservation = null;
    }
  }

  private static Socket reserve(int port) {
    Socket socket = new Socket();
    try {
      // Connections to the stopped server may still be in TIME_WAIT on this port.
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(LOOPBACK, port));
      return socket;
    } catch (IOException e) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // Never bound: nothing to release.
      }
      if (port == 0) {
        throw new UncheckedIOException("cannot reserve a port for the embedded database", e);
      }
      return null; // best effort: the server takes the port again on start()
    }
  }
}

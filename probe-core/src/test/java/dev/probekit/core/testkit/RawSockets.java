package dev.probekit.core.testkit;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * The raw connections one test opens to a probe server ({@link RawHttp} sockets), closed together
 * by {@link #close()}: call it in {@code @AfterEach} before stopping the server, so that no
 * connection a test left open holds the server's shutdown up. Also sends long-polls (watchers).
 */
public final class RawSockets implements AutoCloseable {
  /** How long a watcher's socket waits for its answer: longer than any test's transition. */
  private static final int WATCH_TIMEOUT_MILLIS = 20_000;

  private final List<Socket> sockets = new ArrayList<>();

  /**
   * Opens a connection to {@code base} with {@link RawHttp#open}'s connect and read timeouts.
   *
   * @param base the server, such as {@code http://127.0.0.1:8081}
   */
  public Socket open(URI base) throws IOException {
    Socket socket = RawHttp.open(base);
    sockets.add(socket);
    return socket;
  }

  /** {@link #open(URI)} to {@code 127.0.0.1:port}. */
  public Socket open(int port) throws IOException {
    return open(URI.create("http://127.0.0.1:" + port));
  }

  /**
   * Opens a connection and sends a keep-alive long-poll on it ({@code If-None-Match: etag},
   * {@code Prefer: wait=waitSeconds}); the answer is read later with {@link #answer(Socket)}.
   *
   * @param base the server
   * @param path the probe's path, such as {@code /readyz}
   * @param etag the status the watcher last saw, quoted, such as {@code "\"up\""}
   * @param waitSeconds how long the watcher asks to wait for a change
   */
  public Socket watch(URI base, String path, String etag, int waitSeconds) throws IOException {
    Socket socket = open(base);
    socket.setSoTimeout(WATCH_TIMEOUT_MILLIS);
    RawHttp.write(socket.getOutputStream(), base, "GET", path, false,
        "If-None-Match: " + etag, "Prefer: wait=" + waitSeconds);
    return socket;
  }

  /** Reads the next response on {@code socket} (to a GET). */
  public static RawHttp.Response answer(Socket socket) throws IOException {
    return RawHttp.read(new BufferedInputStream(socket.getInputStream()), false);
  }

  /** Closes every connection opened here. */
  @Override
  public void close() throws IOException {
    for (Socket socket : sockets) {
      socket.close();
    }
    sockets.clear();
  }
}

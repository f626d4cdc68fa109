package dev.probekit.it.rollout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A round-robin TCP load balancer on loopback with kube-proxy's behaviour: each new client
 * connection goes to the next endpoint and stays there (keep-alive connections are not
 * rebalanced); a pod joins the endpoints when its readiness passes and leaves only after its
 * readiness has failed plus a random propagation lag of 0.5 to 3 s. A connection to an endpoint
 * that refuses is closed at once, which the client sees as a failed request.
 */
final class LoadBalancer implements AutoCloseable {
  private final ServerSocket listener;
  private final List<Integer> endpoints = new CopyOnWriteArrayList<>();
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final AtomicInteger next = new AtomicInteger();
  private final ScheduledExecutorService lag = Executors.newSingleThreadScheduledExecutor();
  private final Random random;
  private final List<String> log = new CopyOnWriteArrayList<>();
  private final long t0 = System.nanoTime();
  private volatile boolean closed;

  LoadBalancer(long seed) throws IOException {
    this.random = new Random(seed);
    this.listener = new ServerSocket(0, 256, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "lb-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  /** Readiness passed: route new connections to {@code port} from now on. */
  void add(String pod, int port) {
    if (!endpoints.contains(port)) {
      endpoints.add(port);
      log.add(String.format("%6d ms +%s", ms(), pod));
    }
  }

  /** Readiness failed: stop routing to {@code port} after the propagation lag. */
  void readinessFailed(String pod, int port) {
    long lagMillis;
    synchronized (random) {
      lagMillis = 500 + random.nextInt(2_501);
    }
    log.add(String.format("%6d ms %s not ready, removal in %d ms", ms(), pod, lagMillis));
    lag.schedule(
        () -> {
          endpoints.remove(Integer.valueOf(port));
          log.add(String.format("%6d ms -%s", ms(), pod));
        },
        lagMillis,
        TimeUnit.MILLISECONDS);
  }

  boolean routesTo(int port) {
    return endpoints.contains(port);
  }

  List<String> log() {
    return List.copyOf(log);
  }

  private long ms() {
    return (System.nanoTime() - t0) / 1_000_000;
  }

  private void accept() {
    while (!closed) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return; // closed
      }
      sockets.add(client);
      List<Integer> current = List.copyOf(endpoints);
      if (current.isEmpty()) {
        close(client);
        continue;
      }
      int port = current.get(Math.floorMod(next.getAndIncrement(), current.size()));
      Socket backend = new Socket();
      try {
        backend.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1_000);
      } catch (IOException e) {
        log.add(String.format("%6d ms connect to %d failed: %s", ms(), port, e));
        close(client);
        close(backend);
        continue;
      }
      sockets.add(backend);
      pipe(client, backend, "up");
      pipe(backend, client, "down");
    }
  }

  private void pipe(Socket from, Socket to, String direction) {
    Thread t =
        new Thread(
            () -> {
              byte[] buffer = new byte[16 * 1024];
              try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                  out.write(buffer, 0, n);
                  out.flush();
                }
              } catch (IOException e) {
                // Either side closed or reset: the connection is over, as in a real proxy.
              } finally {
                close(from);
                close(to);
              }
            },
            "lb-" + direction);
    t.setDaemon(true);
    t.start();
  }

  private void close(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // Closing a socket that is already broken: nothing left to release.
    }
    sockets.remove(socket);
  }

  @Override
  public void close() throws IOException {
    closed = true;
    listener.close();
    lag.shutdownNow();
    for (Socket s : sockets) {
      close(s);
    }
  }
}

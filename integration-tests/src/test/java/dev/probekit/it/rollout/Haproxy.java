package dev.probekit.it.rollout;

import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * HAProxy (Debian's package) as a child process: an HTTP frontend on a free loopback port, one
 * backend whose servers health-check {@code GET /readyz} on each pod's probe port ({@code inter
 * 300ms fall 2 rise 1}), and an admin stats socket to enable servers and read {@code show stat}.
 * Servers are declared up front (disabled) with the ports the pods will be started on, and enabled
 * once their pod is serving, as an endpoint is added once its pod is ready.
 *
 * <p>A poller reads the stats every 25 ms and keeps, per server, when its session count last
 * grew: when HAProxy last routed a request to it.
 */
final class Haproxy implements AutoCloseable {
  /** Where Debian installs it; PATH is searched first. */
  private static final List<String> CANDIDATES = List.of("/usr/sbin/haproxy", "/usr/bin/haproxy");

  private final Path dir;
  private final Path socket;
  private final Process process;
  private final int port;
  private final Map<String, Long> sessions = new ConcurrentHashMap<>();
  private final Map<String, Long> lastRouted = new ConcurrentHashMap<>();
  private final Thread poller;
  private volatile boolean running = true;

  /** A server slot: its name and the ports its pod will use. */
  record Server(String name, int appPort, int probePort) {}

  private Haproxy(Path dir, Path socket, Process process, int port) {
    this.dir = dir;
    this.socket = socket;
    this.process = process;
    this.port = port;
    this.poller = new Thread(this::poll, "haproxy-stats");
    this.poller.setDaemon(true);
  }

  /** The haproxy binary, or an error saying how to install it. */
  static String binary() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "haproxy"))) {
        return Path.of(dir, "haproxy").toString();
      }
    }
    for (String c : CANDIDATES) {
      if (Files.isExecutable(Path.of(c))) {
        return c;
      }
    }
    throw new IllegalStateException(
        "haproxy is not installed: run .ci/install-haproxy (apt-get install haproxy) first");
  }

  /** Starts HAProxy over {@code servers} (all disabled) and waits until its socket answers. */
  static Haproxy start(List<Server> servers) throws IOException {
    String binary = binary();
    Path dir = Files.createTempDirectory("probekit-haproxy-");
    Path socket = dir.resolve("admin.sock");
    int port = freePort();
    StringBuilder cfg = new StringBuilder();
    cfg.append("global\n")
        .append("  stats socket ").append(socket).append(" mode 600 level admin\n")
        .append("defaults\n")
        .append("  mode http\n")
        .append("  timeout connect 1s\n")
        .append("  timeout client 30s\n")
        .append("  timeout server 30s\n")
        .append("  timeout check 1s\n")
        .append("frontend fe\n")
        .append("  bind 127.0.0.1:").append(port).append('\n')
        .append("  default_backend pods\n")
        .append("backend pods\n")
        .append("  balance roundrobin\n")
        .append("  option httpchk GET /readyz\n")
        .append("  http-check expect status 200\n")
        .append("  default-server inter 300ms fall 2 rise 1\n");
    for (Server s : servers) {
      cfg.append("  server ").append(s.name()).append(" 127.0.0.1:").append(s.appPort())
          .append(" check port ").append(s.probePort()).append(" disabled\n");
    }
    Path config = dir.resolve("haproxy.cfg");
    Files.writeString(config, cfg);
    Process process =
        new ProcessBuilder(binary, "-f", config.toString(), "-db")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("haproxy.log").toFile())
            .start();
    Haproxy haproxy = new Haproxy(dir, socket, process, port);
    await("haproxy stats socket")
        .atMost(Duration.ofSeconds(15))
        .ignoreExceptions()
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new AssertionError("haproxy exited: " + haproxy.log() + "\nconfig:\n" + cfg);
              }
              return !haproxy.stats().isEmpty();
            });
    haproxy.poller.start();
    return haproxy;
  }

  /** The frontend's port. */
  int port() {
    return port;
  }

  /** Puts a server in service; HAProxy's health checks decide from then on. */
  void enable(String server) throws IOException {
    command("enable server pods/" + server);
  }

  /** The server's status as HAProxy sees it ({@code UP}, {@code DOWN}, {@code MAINT}...). */
  String status(String server) throws IOException {
    Map<String, String> row = stats().get(server);
    return row == null ? "?" : row.get("status");
  }

  /** {@code show stat} of the backend's servers, by server name, each a column-to-value map. */
  Map<String, Map<String, String>> stats() throws IOException {
    String csv = command("show stat");
    String[] lines = csv.split("\n");
    Map<String, Map<String, String>> rows = new HashMap<>();
    if (lines.length == 0 || !lines[0].startsWith("# ")) {
      return rows;
    }
    String[] header = lines[0].substring(2).split(",", -1);
    for (int i = 1; i < lines.length; i++) {
      String[] values = lines[i].split(",", -1);
      if (values.length < 2 || !"pods".equals(values[0]) || "BACKEND".equals(values[1])) {
        continue;
      }
      Map<String, String> row = new HashMap<>();
      for (int c = 0; c < header.length && c < values.length; c++) {
        row.put(header[c], values[c]);
      }
      rows.put(values[1], row);
    }
    return rows;
  }

  /** When HAProxy last routed a request to {@code server} ({@link System#nanoTime()}), or 0. */
  long lastRouted(String server) {
    return lastRouted.getOrDefault(server, 0L);
  }

  /** What HAProxy printed. */
  String log() {
    try {
      return Files.readString(dir.resolve("haproxy.log"));
    } catch (IOException e) {
      return e.toString();
    }
  }

  private void poll() {
    while (running) {
      try {
        long now = System.nanoTime();
        for (Map.Entry<String, Map<String, String>> e : stats().entrySet()) {
          long stot = Long.parseLong(e.getValue().get("stot"));
          Long before = sessions.put(e.getKey(), stot);
          if (before != null && stot > before) {
            lastRouted.put(e.getKey(), now);
          }
        }
        Thread.sleep(25); // the sampling period of the stats, not a wait for a condition
      } catch (IOException | RuntimeException e) {
        if (!running) {
          return;
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** One command over the admin socket; HAProxy answers and closes. */
  private String command(String line) throws IOException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      ch.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.US_ASCII)));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteBuffer buf = ByteBuffer.allocate(16_384);
      while (ch.read(buf) >= 0) {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
      }
      return out.toString(StandardCharsets.US_ASCII);
    }
  }

  /** A port free now on loopback (the pod or HAProxy binds it moments later). */
  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code n} server slots named {@code pod-1}..{@code pod-n}, on distinct free ports. */
  static List<Server> slots(int n) {
    List<Server> servers = new ArrayList<>();
    List<Integer> taken = new ArrayList<>();
    while (servers.size() < n) {
      int app = freePort();
      int probe = freePort();
      if (app == probe || taken.contains(app) || taken.contains(probe)) {
        continue;
      }
      taken.addAll(Arrays.asList(app, probe));
      servers.add(new Server("pod-" + (servers.size() + 1), app, probe));
    }
    return servers;
  }

  @Override
  public void close() throws IOException {
    running = false;
    poller.interrupt();
    process.destroy();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (var files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.deleteIfExists(f);
      }
    }
    Files.deleteIfExists(dir);
  }
}

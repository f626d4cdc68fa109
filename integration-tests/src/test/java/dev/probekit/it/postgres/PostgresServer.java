package dev.probekit.it.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private PostgreSQL server for one test class: {@code initdb} into a temporary directory, then
 * {@code pg_ctl start} / {@code stop} on a free loopback port, as often as a scenario needs (a late
 * start, an outage). It uses the binaries of Debian's {@code postgresql} package ({@code
 * /usr/lib/postgresql/<version>/bin}), which {@code .ci/install-postgresql} installs; PostgreSQL
 * refuses to run as root, so as root every tool runs as the package's {@code postgres} user
 * ({@code runuser -u postgres --}).
 *
 * <p>Clients log in over TCP with a password (scram-sha-256): the application role {@link #USER}
 * owns the database {@link #DATABASE}; the superuser is used only to count sessions.
 */
public final class PostgresServer implements AutoCloseable {
  /** The application's role. */
  public static final String USER = "probekit";

  /** The application's database. */
  public static final String DATABASE = "probekit";

  /** What a test says when the binaries are missing. */
  static final String INSTALL_HINT =
      "PostgreSQL is not installed: no initdb and pg_ctl under /usr/lib/postgresql/*/bin or on PATH."
          + " Run the install step of .ci/run first: `bash .ci/install-postgresql`"
          + " (as root on Debian/Ubuntu: apt-get install postgresql)";

  private static final String SUPERUSER = "postgres";
  private static final long TOOL_TIMEOUT_SECONDS = 120;

  private final Path bin;
  private final Path dir;
  private final Path data;
  private final Path log;
  private final int port;
  private final String password;
  private final String superPassword;
  private boolean running;

  private PostgresServer(Path bin, Path dir, int port, String password, String superPassword) {
    this.bin = bin;
    this.dir = dir;
    this.data = dir.resolve("data");
    this.log = dir.resolve("postgres.log");
    this.port = port;
    this.password = password;
    this.superPassword = superPassword;
  }

  /**
   * Creates the cluster (not started) with the application role and database.
   *
   * @param password the application role's password
   * @throws IllegalStateException with {@link #INSTALL_HINT} when PostgreSQL is not installed
   */
  public static PostgresServer create(String password) throws IOException, InterruptedException {
    Path bin = binaries().orElseThrow(() -> new IllegalStateException(INSTALL_HINT));
    Path dir = Files.createTempDirectory("probekit-pg-");
    PostgresServer server = new PostgresServer(bin, dir, freePort(), password, "super-" + Long.toHexString(System.nanoTime()));
    server.init();
    return server;
  }

  /** The JDBC URL of the application database. */
  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
  }

  public int port() {
    return port;
  }

  /** Starts the server and waits until it accepts connections. */
  public synchronized void start() throws IOException, InterruptedException {
    if (running) {
      return;
    }
    String options =
        "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + dir
            + " -c fsync=off -c max_connections=50";
    run(tool("pg_ctl"), "-D", data.toString(), "-l", log.toString(), "-w", "-t", "60", "-o", options, "start");
    running = true;
  }

  /**
   * Stops the server the way an outage or a failover does ({@code pg_ctl stop -m fast}): every
   * session is terminated, new connections are refused.
   */
  public synchronized void stop() throws IOException, InterruptedException {
    if (!running) {
      return;
    }
    run(tool("pg_ctl"), "-D", data.toString(), "-m", "fast", "-w", "-t", "60", "stop");
    running = false;
  }

  /** Sessions of {@link #USER} on the server now, from {@code pg_stat_activity}. */
  public int sessions() throws SQLException {
    try (Connection c = superuser();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE usename = '" + USER + "'")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /** The server's own log, for failure messages. */
  public String serverLog() {
    try {
      return Files.isReadable(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    try {
      stop();
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private void init() throws IOException, InterruptedException {
    if (asRoot()) {
      // The postgres user must own the cluster's directory.
      exec(List.of("chown", SUPERUSER + ":" + SUPERUSER, dir.toString()));
    }
    Path pwfile = dir.resolve("superuser.pw");
    Files.writeString(pwfile, superPassword + "\n", StandardCharsets.UTF_8);
    try {
      run(
          tool("initdb"), "-D", data.toString(), "-U", SUPERUSER, "--pwfile=" + pwfile,
          "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync");
    } finally {
      Files.deleteIfExists(pwfile);
    }
    start();
    try (Connection c = superuser(); Statement s = c.createStatement()) {
      // The password is a test value made of hex digits: nothing to escape.
      s.execute("CREATE ROLE " + USER + " LOGIN PASSWORD '" + password + "'");
      s.execute("CREATE DATABASE " + DATABASE + " OWNER " + USER);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create the application role and database", e);
    }
    stop();
  }

  private Connection superuser() throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", SUPERUSER, superPassword);
  }

  private String tool(String name) {
    return bin.resolve(name).toString();
  }

  private void run(String... command) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>();
    if (asRoot()) {
      full.addAll(List.of("runuser", "-u", SUPERUSER, "--"));
    }
    full.addAll(List.of(command));
    exec(full);
  }

  private void exec(List<String> command) throws IOException, InterruptedException {
    Path out = Files.createTempFile("probekit-pg-tool-", ".log");
    try {
      Process p =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      if (!p.waitFor(TOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not finish in " + TOOL_TIMEOUT_SECONDS + " s");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + " exited " + p.exitValue() + ":\n" + Files.readString(out) + "\n" + serverLog());
      }
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private static boolean asRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** The newest {@code /usr/lib/postgresql/<version>/bin}, else the directory of initdb on PATH. */
  static Optional<Path> binaries() {
    return binaries(Path.of("/usr/lib/postgresql"), System.getenv().getOrDefault("PATH", ""));
  }

  /** {@link #binaries()} with Debian's root and the PATH given. */
  static Optional<Path> binaries(Path root, String path) {
    if (Files.isDirectory(root)) {
      try (Stream<Path> versions = Files.list(root)) {
        Optional<Path> newest =
            versions
                .map(v -> v.resolve("bin"))
                .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                .max(Comparator.comparingInt(b -> version(b.getParent().getFileName().toString())));
        if (newest.isPresent()) {
          return newest;
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    for (String entry : path.split(":")) {
      if (entry.isEmpty()) {
        continue;
      }
      Path b = Path.of(entry);
      if (Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl"))) {
        return Optional.of(b);
      }
    }
    return Optional.empty();
  }

  private static int version(String name) {
    try {
      return Integer.parseInt(name);
    } catch (NumberFormatException e) {
      return -1; // not a version directory: least preferred
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}

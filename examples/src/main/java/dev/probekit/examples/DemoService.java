package dev.probekit.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.DetailsPolicy;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.lifecycle.InflightTracker;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.server.ProbeServer;
import dev.probekit.core.waits.DependencyWaitException;
import dev.probekit.core.waits.Waits;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The demo service the README's "Try it" command runs: a small application HTTP server on a real
 * database behind a HikariCP pool, next to the built-in probe server, wired to a {@link
 * Lifecycle} that drains on SIGTERM. The database is an embedded H2 server reached over JDBC/TCP
 * ({@link EmbeddedDatabase}), or the one {@code PROBEKIT_DEMO_DATABASE_URL} names (PostgreSQL).
 *
 * <pre>
 *   start ──> probe server (/livez UP, /startupz DOWN) ──> wait for the database (Waits.jdbc)
 *         ──> pool + readiness check ──> application server ──> /startupz UP, /readyz UP ──> serve
 *   SIGTERM ──> /readyz 503 ──> pre-stop delay (Connection: close) ──> stop accepting
 *           ──> drain in-flight requests ──> shutdown tasks ──> probe server ──> summary, exit 0
 * </pre>
 *
 * <p>Settings (system property, or the environment variable in capitals with underscores):
 * {@code probekit.demo.port} (8080), {@code probekit.probe.port} (8081), 0 for a random port;
 * {@code probekit.demo.drain} (true; false makes SIGTERM exit at once, for comparison);
 * {@code probekit.demo.database-url}, {@code -user}, {@code -password} (an external database;
 * unset: the embedded H2 server, whose password is the given one or a random one);
 * {@code probekit.demo.dependency-delay} (1s: the embedded database starts that late),
 * {@code probekit.demo.wait-deadline} (30s),
 * {@code probekit.demo.details} (never or always), {@code probekit.demo.threads} (16), and the
 * library's {@code probekit.shutdown.*} timings.
 */
public final class DemoService {
  /** Upper bound of {@code /work?ms=N}, so a typo cannot hold a thread for hours. */
  private static final long MAX_WORK_MILLIS = 60_000;

  private final DemoConfig config;
  private final HealthRegistry health;
  private final Lifecycle lifecycle;
  /** The embedded database server, or {@code null} when the database is external. */
  private final EmbeddedDatabase embedded;
  private final String databaseUrl;
  private final String databaseUser;
  private final String databasePassword;
  private DemoDatabase database;
  private DemoJobs jobs;
  private final AtomicBoolean appStarted = new AtomicBoolean();
  private final AtomicInteger working = new AtomicInteger();
  /** {@code /work} requests of a second or more in progress: the ones a drain must wait for. */
  private final AtomicInteger workingSlow = new AtomicInteger();
  private ProbeServer probeServer;
  private HttpServer appServer;

  private DemoService(DemoConfig config, Lifecycle.Builder lifecycleBuilder, HealthRegistry health) {
    this.config = config;
    this.health = health;
    this.lifecycle = lifecycleBuilder.build();
    if (config.databaseUrl == null) {
      this.embedded = new EmbeddedDatabase();
      this.databaseUrl = embedded.url();
      this.databaseUser = config.databaseUser != null ? config.databaseUser : EmbeddedDatabase.USER;
      this.databasePassword =
          config.databasePassword != null ? config.databasePassword : randomPassword();
    } else {
      this.embedded = null;
      this.databaseUrl = config.databaseUrl;
      this.databaseUser = config.databaseUser;
      this.databasePassword = config.databasePassword;
    }
  }

  /**
   * Starts the demo and returns; the servers' threads keep the JVM running until SIGTERM/SIGINT.
   *
   * @param args ignored; settings come from system properties and the environment
   */
  public static void main(String[] args) throws Exception {
    // H2's client retries a refused connect for about 1.5 s by default; a refused connect should
    // fail at once, as with other drivers, so that waits and checks see the outage as it is.
    if (System.getProperty("h2.socketConnectRetry") == null) {
      System.setProperty("h2.socketConnectRetry", "0");
    }
    Map<String, String> sys = systemProperties();
    Map<String, String> env = System.getenv();
    DemoConfig config;
    Lifecycle.Builder lifecycleBuilder;
    HealthRegistry health = HealthRegistry.builder().build();
    try {
      config = DemoConfig.from(sys, env);
      lifecycleBuilder = Lifecycle.builder(health).configure(sys, env);
    } catch (IllegalArgumentException e) {
      System.err.println("probekit-demo: invalid setting: " + e.getMessage());
      System.exit(2);
      return;
    }
    DemoService demo;
    try {
      demo = new DemoService(config, lifecycleBuilder, health);
    } catch (IllegalArgumentException e) {
      System.err.println("probekit-demo: invalid setting: " + e.getMessage());
      System.exit(2);
      return;
    }
    demo.run();
  }

  private void run() throws IOException, InterruptedException {
    registerChecks();

    ProbeEndpoints endpoints =
        ProbeEndpoints.builder(health)
            .detailsPolicy(config.details ? DetailsPolicy.always() : DetailsPolicy.never())
            .build();
    // Registered first so that, shutdown tasks running last-registered-first, these run last.
    lifecycle.addShutdownTask("health", health::close);
    if (embedded != null) {
      lifecycle.addShutdownTask("embedded-database", embedded::close);
    }
    probeServer =
        ProbeServer.builder(endpoints)
            .port(config.probePort)
            .lifecycle(lifecycle)
            .preStop("/prestop", lifecycle)
            .start();
    println("probekit-demo ports probe=" + probeServer.port());
    DemoGrpc.startIfConfigured(health, lifecycle, systemProperties(), System.getenv());

    if (config.drain) {
      lifecycle.installSignalHandler();
    } else {
      println(
          "probekit-demo: graceful drain is OFF ("
              + DemoConfig.DRAIN
              + "=false): SIGTERM stops the JVM at once and in-flight requests are lost");
    }

    if (embedded != null) {
      // The database comes up a little later, as one does in a fresh environment.
      embedded.startAfter(config.dependencyDelay.toMillis());
    }
    println(
        "probekit-demo database="
            + (embedded != null ? "embedded h2 on port " + embedded.port() : "external " + subprotocol(databaseUrl)));
    Waits waits =
        Waits.builder()
            .add(Waits.jdbc(databaseUrl, databaseUser, databasePassword).named("database"))
            .deadline(config.waitDeadline)
            .attemptTimeout(Duration.ofMillis(2_000))
            .health(health)
            .lifecycle(lifecycle)
            .build();
    try {
      waits.await();
    } catch (DependencyWaitException e) {
      if (e.aborted()) {
        // SIGTERM during start-up: the signal handler is running the stop steps and will exit.
        return;
      }
      System.err.println("probekit-demo: " + e.getMessage());
      System.exit(1);
      return;
    }

    database = new DemoDatabase(databaseUrl, databaseUser, databasePassword);
    // Closed before the embedded server stops (shutdown tasks run last-registered-first).
    lifecycle.addShutdownTask("database-pool", database::close);
    health.register("database", DemoDatabase.readinessCheck(database.dataSource()), DemoDatabase.readinessOptions());
    try {
      jobs = new DemoJobs(database.dataSource(), config.jobDuration, config.tickInterval, lifecycle);
    } catch (java.sql.SQLException e) {
      System.err.println("probekit-demo: cannot create the job tables: " + e.getMessage());
      System.exit(1);
      return;
    }
    startAppServer();
    appStarted.set(true);
    int app = appServer.getAddress().getPort();
    int probe = probeServer.port();
    println("probekit-demo ports app=" + app + " probe=" + probe);
    println(
        String.join(
            System.lineSeparator(),
            "Try:",
            "  curl -i http://localhost:" + app + "/",
            "  curl -i 'http://localhost:" + app + "/work?ms=2000'",
            "  curl -i -X POST http://localhost:" + app + "/dependency/down   (stops the database; then /dependency/up)",
            "  curl -i 'http://localhost:" + probe + "/readyz?verbose'",
            "  curl -i http://localhost:" + probe + "/livez     /startupz     /healthz",
            "Ctrl-C or kill -TERM " + ProcessHandle.current().pid() + " drains and exits 0."));
  }

  private void registerChecks() {
    // Liveness: only what this process controls. A deadlock means it can no longer make progress.
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    health.register(
        "deadlocks",
        () -> {
          long[] ids = threads.findDeadlockedThreads();
          return ids == null
              ? CheckResult.up()
              : CheckResult.down(ids.length + " deadlocked threads").withDetail("threads", ids.length);
        },
        CheckOptions.builder(Probe.LIVENESS).interval(Duration.ofSeconds(5)).build());
    // Readiness: the database check through the pool is registered once the pool exists.
    // Startup: the application server is up (the database wait adds its own startup check).
    // Also on readiness: a balancer that does not know startup probes must not send traffic
    // before the server exists.
    health.register(
        "app-server",
        () -> appStarted.get() ? CheckResult.up() : CheckResult.down("application server not started"),
        CheckOptions.builder(Probe.STARTUP, Probe.READINESS).interval(Duration.ofMillis(250)).build());
  }

  private void startAppServer() throws IOException {
    InflightTracker inflight = lifecycle.inflight();
    ThreadPoolExecutor workers =
        new ThreadPoolExecutor(
            config.threads,
            config.threads,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            r -> new Thread(r, "demo-app"));
    appServer = HttpServer.create(new InetSocketAddress(config.appPort), 128);
    // Count each exchange from the moment the server hands it to a worker, queue time included,
    // until its handler returns (the response is complete then): the drain must not end while
    // a request is queued behind busy workers.
    appServer.setExecutor(inflight.counting(workers));
    appServer.createContext("/", this::handle);
    appServer.start();

    long stopWaitSeconds = Math.max(1, lifecycle.drainTimeout().toSeconds() + 1);
    joinDrain(appServer, workers, lifecycle, (int) stopWaitSeconds, "demo-app-stop");
  }

  /**
   * Joins a JDK {@code HttpServer} (its exchanges counted by {@code
   * lifecycle.inflight().counting(workers)}) to the drain as {@code "app-server"}: at stop-accepting,
   * {@code HttpServer.stop} closes the listener at once and then waits for the exchanges in
   * progress, so it runs on its own daemon thread while the lifecycle drains; after the drain, a
   * shutdown task calls {@code stop(0)}, which ends that wait and closes the idle keep-alive
   * connections, joins that thread and shuts the workers down.
   *
   * @param server the started server
   * @param workers the executor behind the server's counting executor
   * @param lifecycle the lifecycle to join
   * @param stopWaitSeconds the longest {@code HttpServer.stop} waits for exchanges in progress
   * @param stopThreadName the name of the thread that runs {@code stop}
   */
  public static void joinDrain(
      HttpServer server,
      ExecutorService workers,
      Lifecycle lifecycle,
      int stopWaitSeconds,
      String stopThreadName) {
    AtomicReference<Thread> stopper = new AtomicReference<>();
    lifecycle.onStopAccepting(
        "app-server",
        () -> {
          Thread t = new Thread(() -> server.stop(stopWaitSeconds), stopThreadName);
          t.setDaemon(true);
          stopper.set(t);
          t.start();
        });
    lifecycle.addShutdownTask(
        "app-server",
        () -> {
          server.stop(0);
          Thread t = stopper.get();
          if (t != null) {
            t.join();
          }
          workers.shutdown();
        });
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      route(exchange);
    } catch (RuntimeException e) {
      // Answer rather than let the server drop the connection without a response.
      System.err.println("probekit-demo: " + exchange.getRequestURI() + " failed: " + e);
      respond(exchange, 500, "internal error\n");
      exchange.close();
    }
  }

  private void route(HttpExchange exchange) throws IOException {
    try (exchange; InputStream body = exchange.getRequestBody()) {
      body.readAllBytes();
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getPath();
      switch (path) {
        case "/":
          if (!requireMethod(exchange, method, "GET")) {
            return;
          }
          hello(exchange);
          return;
        case "/work":
          if (!requireMethod(exchange, method, "GET")) {
            return;
          }
          work(exchange);
          return;
        case "/dependency/down":
        case "/dependency/up":
          if (!requireMethod(exchange, method, "POST")) {
            return;
          }
          dependency(exchange, path.endsWith("/up"));
          return;
        case "/jobs":
        case "/tasks":
          jobs(exchange, method, path.equals("/jobs"));
          return;
        case "/stats":
          InflightTracker inflight = lifecycle.inflight();
          respond(
              exchange,
              200,
              "inflight="
                  + inflight.current()
                  + " work="
                  + working.get()
                  + " slow="
                  + workingSlow.get()
                  + " started="
                  + inflight.started()
                  + "\n");
          return;
        default:
          respond(exchange, 404, "not found\n");
      }
    }
  }

  /** {@code GET /}: one query through the pool; 503 within the pool's timeout when it fails. */
  private void hello(HttpExchange exchange) throws IOException {
    String product;
    try {
      product = database.query();
    } catch (SQLException e) {
      // A short body and no exception text: driver messages may quote the URL.
      respond(exchange, 503, "database unavailable\n");
      return;
    }
    respond(exchange, 200, "hello from probekit-demo; " + product + " answered\n");
  }

  /**
   * {@code POST /jobs?n=N} enqueues N jobs, {@code POST /tasks?n=N} submits N executor tasks (503
   * once draining); {@code GET} answers their counts as JSON.
   */
  private void jobs(HttpExchange exchange, String method, boolean queue) throws IOException {
    try {
      if (method.equals("GET")) {
        respondJson(exchange, queue ? jobs.countsJson() : jobs.tasksJson());
        return;
      }
      if (!requireMethod(exchange, method, "POST")) {
        return;
      }
      String query = exchange.getRequestURI().getRawQuery();
      int n = -1;
      if (query != null && query.matches("n=\\d{1,5}")) {
        n = Integer.parseInt(query.substring(2));
      }
      if (n < 1 || n > DemoJobs.MAX_PER_REQUEST) {
        respond(exchange, 400, "expected ?n=1.." + DemoJobs.MAX_PER_REQUEST + "\n");
        return;
      }
      if (queue) {
        jobs.enqueue(n);
      } else {
        jobs.submitTasks(n);
      }
      respond(exchange, 202, (queue ? "enqueued " : "submitted ") + n + "\n");
    } catch (java.util.concurrent.RejectedExecutionException e) {
      respond(exchange, 503, "draining: no new tasks\n");
    } catch (java.sql.SQLException e) {
      respond(exchange, 503, "database unavailable\n");
    }
  }

  private void respondJson(HttpExchange exchange, String json) throws IOException {
    byte[] bytes = (json + "\n").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  /** {@code POST /dependency/down|up}: stops or starts the embedded database server for real. */
  private void dependency(HttpExchange exchange, boolean up) throws IOException {
    if (embedded == null) {
      respond(
          exchange,
          409,
          "the database is external (" + DemoConfig.envName(DemoConfig.DATABASE_URL) + "): stop and start it yourself\n");
      return;
    }
    boolean changed;
    try {
      changed = up ? embedded.start() : embedded.stop();
    } catch (IllegalStateException e) {
      respond(exchange, 503, "could not start the embedded database; try again\n");
      return;
    }
    respond(
        exchange,
        200,
        "database " + (up ? "started" : "stopped") + (changed ? "" : " already") + "; watch /readyz\n");
  }

  private void work(HttpExchange exchange) throws IOException {
    String query = exchange.getRequestURI().getRawQuery();
    long ms = -1;
    if (query != null && query.startsWith("ms=")) {
      try {
        ms = Long.parseLong(query.substring(3));
      } catch (NumberFormatException e) {
        ms = -1; // answered 400 below
      }
    }
    if (ms < 0 || ms > MAX_WORK_MILLIS) {
      respond(exchange, 400, "expected ?ms=0.." + MAX_WORK_MILLIS + "\n");
      return;
    }
    boolean slow = ms >= 1000;
    working.incrementAndGet();
    if (slow) {
      workingSlow.incrementAndGet();
    }
    try {
      Thread.sleep(ms); // the "work": a slow request for drain experiments
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      respond(exchange, 503, "interrupted\n");
      return;
    } finally {
      working.decrementAndGet();
      if (slow) {
        workingSlow.decrementAndGet();
      }
    }
    respond(exchange, 200, "worked " + ms + " ms\n");
  }

  private boolean requireMethod(HttpExchange exchange, String method, String expected)
      throws IOException {
    if (expected.equals(method)) {
      return true;
    }
    exchange.getResponseHeaders().set("Allow", expected);
    respond(exchange, 405, "method not allowed\n");
    return false;
  }

  private void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    if (lifecycle.isDraining()) {
      // Keep-alive clients move to other pods now, not when we stop accepting.
      exchange.getResponseHeaders().set("Connection", "close");
    }
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  /** {@code jdbc:postgresql} of a JDBC URL: what the demo prints about an external database. */
  private static String subprotocol(String url) {
    int colon = url.indexOf(':', "jdbc:".length());
    return colon < 0 ? "jdbc" : url.substring(0, colon);
  }

  private static String randomPassword() {
    byte[] bytes = new byte[12];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  private static Map<String, String> systemProperties() {
    Properties properties = System.getProperties();
    Map<String, String> copy = new HashMap<>();
    for (String name : properties.stringPropertyNames()) {
      copy.put(name, properties.getProperty(name));
    }
    return copy;
  }

  private static void println(String line) {
    System.out.println(line);
    System.out.flush();
  }
}

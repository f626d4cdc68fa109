package dev.probekit.core.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.CheckState;
import dev.probekit.core.DetailsPolicy;
import dev.probekit.core.HealthCheck;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.Status;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HTTP probe contract of DESIGN.md and issue 3 as one conformance suite, like Micrometer's
 * {@code MeterRegistryCompatibilityKit}: every server that serves {@link ProbeEndpoints} (the
 * built-in {@code ProbeServer}, Netty, the servlet adapter on Jetty and Tomcat, Spring Boot)
 * extends this class, implements {@link #startServer(ProbeEndpoints)} and {@link #stopServer()},
 * and inherits every test.
 *
 * <p>Each test builds its own {@link HealthRegistry} with short intervals and no jitter, the {@link
 * ProbeEndpoints} it needs (some with a prefix or a {@link DetailsPolicy}), starts the server once,
 * and talks to it over real HTTP with {@code java.net.http.HttpClient}, or over a raw socket for
 * requests that client refuses to send. Nothing sleeps: asynchronous state is awaited with
 * Awaitility.
 *
 * <p>Subclasses need junit-jupiter, assertj-core and awaitility on their test classpath
 * (jackson-core comes with probe-core). Hooks a server may need: {@link
 * #methodsAnswered405()} (a container that answers TRACE itself leaves it out).
 *
 * <p>Where a server itself rejects a request before the endpoints see it (a request target with a
 * malformed percent escape is not a valid URI, and most servers answer 400 on their own), the kit
 * asserts only what every server must do: 400, a short body and no stack trace. Everything that
 * reaches {@link ProbeEndpoints} is asserted exactly.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
public abstract class ProbeContractKit {

  /** The interval of every check in the kit: short, so state changes are seen within ms. */
  protected static final Duration INTERVAL = Duration.ofMillis(20);

  protected static final String TEXT_PLAIN = "text/plain;charset=utf-8";

  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  /** A Java or JVM stack frame, "at java.lang.Thread.run(Thread.java:840)". */
  private static final Pattern STACK_FRAME = Pattern.compile("\\bat [\\w$.]+\\([^)]*\\)");

  private final List<HealthRegistry> healths = new ArrayList<>();
  private final List<CountDownLatch> latches = new CopyOnWriteArrayList<>();
  private URI base;
  private boolean serverStarted;

  /**
   * Starts a real server on a random port serving {@code endpoints} at their paths, and every
   * other path with the server's own 404.
   *
   * @return the base URI, such as {@code http://127.0.0.1:PORT}; it may end in a path (a servlet
   *     context such as {@code http://127.0.0.1:PORT/app}), under which every request is sent
   */
  protected abstract URI startServer(ProbeEndpoints endpoints) throws Exception;

  /** Stops the server started by {@link #startServer(ProbeEndpoints)}; called after each test. */
  protected abstract void stopServer() throws Exception;

  /**
   * The methods that must be answered 405 with {@code Allow: GET, HEAD}. Servers that answer a
   * method themselves before any handler runs (Tomcat and TRACE) override this.
   */
  protected List<String> methodsAnswered405() {
    return List.of("POST", "PUT", "DELETE", "PATCH", "OPTIONS");
  }

  @AfterEach
  final void stopServerAndChecks() throws Exception {
    try {
      if (serverStarted) {
        serverStarted = false;
        stopServer();
      }
    } finally {
      for (CountDownLatch latch : latches) {
        while (latch.getCount() > 0) {
          latch.countDown();
        }
      }
      for (HealthRegistry health : healths) {
        health.close();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Plain probes: every path, 200/503, exact bodies, headers
  // ---------------------------------------------------------------------------------------------

  @Test
  void everyProbePathAnswersOkWhenItsChecksAreUp() throws Exception {
    Fixture f = fixture();
    serve(f.health);

    for (String path : List.of("/livez", "/readyz", "/startupz", "/healthz")) {
      Reply reply = get(path);
      assertThat(reply.status).as(path).isEqualTo(200);
      assertThat(reply.body).as(path).isEqualTo("ok");
      assertPlainTextContract(reply);
    }
  }

  @Test
  void readyzAnswers503WithReadinessCheckFailedWhenARequiredCheckIsDown() throws Exception {
    Fixture f = fixture();
    f.db.set(CheckResult.down("password for admin@10.1.2.3 rejected"));
    awaitStatus(f.health, "db", Status.DOWN);
    serve(f.health);

    Reply readyz = get("/readyz");
    assertThat(readyz.status).isEqualTo(503);
    assertThat(readyz.body).isEqualTo("readiness check failed");
    assertPlainTextContract(readyz);
    assertThat(get("/livez").status).as("liveness does not depend on db").isEqualTo(200);
    assertThat(get("/startupz").status).isEqualTo(200);
  }

  @Test
  void livezAnswers503WithLivenessCheckFailedWhenALivenessCheckIsDown() throws Exception {
    Fixture f = fixture();
    f.deadlocks.set(CheckResult.down("2 threads deadlocked"));
    awaitStatus(f.health, "deadlocks", Status.DOWN);
    serve(f.health);

    Reply livez = get("/livez");
    assertThat(livez.status).isEqualTo(503);
    assertThat(livez.body).isEqualTo("liveness check failed");
    assertPlainTextContract(livez);
    assertThat(get("/readyz").status).isEqualTo(200);
  }

  @Test
  void startupzAnswers503WithStartupCheckFailedWhenAStartupCheckIsDown() throws Exception {
    Fixture f = fixture();
    f.migrations.set(CheckResult.down("migration 42 pending"));
    awaitStatus(f.health, "migrations", Status.DOWN);
    serve(f.health);

    Reply startupz = get("/startupz");
    assertThat(startupz.status).isEqualTo(503);
    assertThat(startupz.body).isEqualTo("startup check failed");
    assertPlainTextContract(startupz);
  }

  @Test
  void healthzFailsWhenAnyProbeFailsAndPassesWhenAllPass() throws Exception {
    Fixture f = fixture();
    serve(f.health);
    assertThat(get("/healthz").body).isEqualTo("ok");

    f.migrations.set(CheckResult.down("migration 42 pending"));
    awaitStatus(f.health, "migrations", Status.DOWN);
    Reply healthz = get("/healthz");
    assertThat(healthz.status).isEqualTo(503);
    assertThat(healthz.body).isEqualTo("health check failed");
    assertPlainTextContract(healthz);
    assertThat(get("/livez").status).isEqualTo(200);
    assertThat(get("/readyz").status).isEqualTo(200);

    f.migrations.set(CheckResult.up());
    awaitStatus(f.health, "migrations", Status.UP);
    assertThat(get("/healthz").status).isEqualTo(200);
  }

  @Test
  void probeFollowsItsCheckFromUpToDownAndBack() throws Exception {
    Fixture f = fixture();
    serve(f.health);
    assertThat(get("/readyz").status).isEqualTo(200);

    f.db.set(CheckResult.down("gone"));
    awaitStatus(f.health, "db", Status.DOWN);
    assertThat(get("/readyz").status).isEqualTo(503);

    f.db.set(CheckResult.up());
    awaitStatus(f.health, "db", Status.UP);
    Reply back = get("/readyz");
    assertThat(back.status).isEqualTo(200);
    assertThat(back.body).isEqualTo("ok");
  }

  @Test
  void kubeletStyleRequestGetsThePlainTextAnswer() throws Exception {
    Fixture f = fixture();
    serve(f.health);

    for (String path : List.of("/livez", "/readyz", "/startupz")) {
      Reply reply = get(path, "User-Agent", "kube-probe/1.31", "Accept", "*/*");
      assertThat(reply.status).isEqualTo(200);
      assertThat(reply.body).isEqualTo("ok");
      assertPlainTextContract(reply);
    }
  }

  @Test
  void optionalCheckThatIsDownNeverFailsTheProbe() throws Exception {
    Fixture f = fixture();
    f.cache.set(CheckResult.down("evicted"));
    awaitStatus(f.health, "cache", Status.DOWN);
    serve(f.health);

    Reply readyz = get("/readyz");
    assertThat(readyz.status).isEqualTo(200);
    assertThat(readyz.body).isEqualTo("ok");
    Reply verbose = get("/readyz?verbose");
    assertThat(verbose.status).isEqualTo(200);
    assertThat(verbose.body)
        .isEqualTo(
            "[+]db ok\n"
                + "[~]cache failed: reason withheld (optional)\n"
                + "readiness check passed\n");
  }

  // ---------------------------------------------------------------------------------------------
  // Single checks
  // ---------------------------------------------------------------------------------------------

  @Test
  void singleCheckPathAnswersForThatCheckOnly() throws Exception {
    Fixture f = fixture();
    HealthRegistry health = f.health;
    SwitchableCheck queue = register(health, "queue", CheckResult.up(), Probe.READINESS);
    awaitStatus(health, "queue", Status.UP);
    serve(health);

    Reply db = get("/readyz/db");
    assertThat(db.status).isEqualTo(200);
    assertThat(db.body).isEqualTo("ok");
    assertPlainTextContract(db);

    queue.set(CheckResult.down("broker unreachable"));
    awaitStatus(health, "queue", Status.DOWN);
    Reply failed = get("/readyz/queue");
    assertThat(failed.status).isEqualTo(503);
    assertThat(failed.body).isEqualTo("queue check failed");
    assertThat(failed.body).doesNotContain("broker");
    assertPlainTextContract(failed);
    assertThat(get("/readyz/db").status).as("db is still up on its own").isEqualTo(200);
    assertThat(get("/readyz").status).isEqualTo(503);
  }

  @Test
  void singleCheckIsServedUnderEachOfItsProbesAndUnderHealthz() throws Exception {
    Fixture f = fixture();
    serve(f.health);

    assertThat(get("/livez/deadlocks").status).isEqualTo(200);
    assertThat(get("/startupz/migrations").status).isEqualTo(200);
    assertThat(get("/healthz/db").status).isEqualTo(200);
    assertThat(get("/healthz/deadlocks").status).isEqualTo(200);
    Reply verbose = get("/healthz/db?verbose");
    assertThat(verbose.status).isEqualTo(200);
    assertThat(verbose.body).isEqualTo("[+]db ok\ndb check passed\n");
  }

  @Test
  void checkUnderAProbeItDoesNotBelongToIs404() throws Exception {
    Fixture f = fixture();
    serve(f.health);

    Reply reply = get("/livez/db");
    assertThat(reply.status).isEqualTo(404);
    assertShortPlainTextError(reply);
  }

  @Test
  void unknownCheckIs404WithAShortPlainTextBody() throws Exception {
    Fixture f = fixture();
    serve(f.health);

    for (String path : List.of("/readyz/nope", "/livez/nope", "/healthz/nope", "/startupz/db")) {
      Reply reply = get(path);
      assertThat(reply.status).as(path).isEqualTo(404);
      assertShortPlainTextError(reply);
      Reply head = request("HEAD", path);
      assertThat(head.status).as("HEAD " + path).isEqualTo(404);
      assertThat(head.body).isEmpty();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Methods
  // ---------------------------------------------------------------------------------------------

  @Test
  void headAnswersLikeGetWithoutABody() throws Exception {
    Fixture f = fixture();
    f.db.set(CheckResult.down("gone"));
    awaitStatus(f.health, "db", Status.DOWN);
    serve(f.health);

    for (String target :
        List.of(
            "/livez",
            "/readyz",
            "/startupz",
            "/healthz",
            "/readyz?verbose",
            "/readyz?format=json",
            "/readyz/db",
            "/livez/deadlocks?verbose",
            "/readyz/nope")) {
      Reply get = get(target);
      Reply head = request("HEAD", target);
      assertThat(head.status).as("HEAD " + target).isEqualTo(get.status);
      assertThat(head.body).as("HEAD " + target).isEmpty();
      for (String header : List.of("Content-Type", "Cache-Control", "X-Content-Type-Options")) {
        assertThat(head.header(header)).as(header + " of HEAD " + target).isEqualTo(get.header(header));
      }
      String headLength = head.header("Content-Length");
      if (headLength != null && !headLength.equals("0")) {
        assertThat(headLength).as("a HEAD Content-Length is the GET body's").isEqualTo(get.header("Content-Length"));
      }
    }
  }

  @Test
  void headSendsNoBodyBytesOnTheWire() throws Exception {
    Fixture f = fixture();
    serve(f.health);

    try (Socket socket = RawHttp.open(base)) {
      OutputStream out = socket.getOutputStream();
      InputStream in = new java.io.BufferedInputStream(socket.getInputStream());
      RawHttp.write(out, base, "HEAD", "/readyz", false);
      RawHttp.Response head = RawHttp.read(in, true);
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.header("Cache-Control")).isEqualTo("no-store");
      if ("close".equalsIgnoreCase(head.header("Connection"))) {
        assertThat(in.read()).as("no body bytes before the server closes").isEqualTo(-1);
      } else {
        // The next bytes on this connection must be the next response's status line: any body
        // bytes sent after the HEAD response would show up in front of it.
        RawHttp.write(out, base, "GET", "/livez", true);
        RawHttp.Response next = RawHttp.read(in, false);
        assertThat(next.statusLine()).startsWith("HTTP/1.1 200");
        assertThat(next.body()).isEqualTo("ok");
      }
    }
  }

  @Test
  void otherMethodsAre405WithAllowGetHead() throws Exception {
    Fixture f = fixture();
    serve(f.health);

    for (String method : methodsAnswered405()) {
      for (String path : List.of("/livez", "/readyz", "/startupz", "/healthz", "/readyz/db")) {
        Reply reply = request(method, path);
        assertThat(reply.status).as(method + " " + path).isEqualTo(405);
        assertThat(reply.header("Allow")).as("Allow of " + method + " " + path).isNotNull();
        assertThat(tokens(reply.header("Allow"))).as(method + " " + path).containsExactly("GET", "HEAD");
        assertShortPlainTextError(reply);
      }
    }
    Reply withBody = requestWithBody("POST", "/readyz");
    assertThat(withBody.status).as("a POST with a body").isEqualTo(405);
    assertThat(tokens(withBody.header("Allow"))).containsExactly("GET, HEAD".split(", "));
    assertThat(get("/readyz").status).as("the connection still serves GET afterwards").isEqualTo(200);
  }

  @Test
  void failingProbesAre503NeverA3xxOr500() throws Exception {
    HealthRegistry health = newHealth();
    register(health, "db", CheckResult.down("gone"), Probe.READINESS, Probe.LIVENESS);
    register(
        health,
        "boom",
        () -> {
          throw new IllegalStateException("kaboom");
        },
        CheckOptions.builder(Probe.READINESS, Probe.STARTUP).build());
    awaitStatus(health, "db", Status.DOWN);
    awaitStatus(health, "boom", Status.DOWN);
    serve(health);

    for (String target :
        List.of("/livez", "/readyz", "/startupz", "/healthz", "/readyz/boom", "/readyz?verbose",
            "/readyz?format=json", "/readyz/", "/livez/")) {
      Reply reply = get(target);
      assertThat(reply.status).as("never a 3xx or 500: " + target).isIn(503, 404);
      assertThat(reply.body).as(target).doesNotContain("kaboom", "IllegalStateException");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // ?verbose and details
  // ---------------------------------------------------------------------------------------------

  @Test
  void verboseListsEveryCheckAndEndsWithTheVerdict() throws Exception {
    Fixture f = fixture();
    serve(f.health);

    Reply readyz = get("/readyz?verbose");
    assertThat(readyz.status).isEqualTo(200);
    assertThat(readyz.body).isEqualTo("[+]db ok\n[~]cache ok (optional)\nreadiness check passed\n");
    assertPlainTextContract(readyz);

    assertThat(get("/livez?verbose").body).isEqualTo("[+]deadlocks ok\nliveness check passed\n");
    assertThat(get("/startupz?verbose").body).isEqualTo("[+]migrations ok\nstartup check passed\n");
    assertThat(get("/healthz?verbose").body)
        .isEqualTo(
            "[+]deadlocks ok\n"
                + "[+]db ok\n"
                + "[~]cache ok (optional)\n"
                + "[+]migrations ok\n"
                + "health check passed\n");
  }

  @Test
  void verboseWithholdsReasonsByDefault() throws Exception {
    Fixture f = fixture();
    f.db.set(CheckResult.down("password for admin@10.1.2.3 rejected").withDetail("host", "10.1.2.3"));
    awaitStatus(f.health, "db", Status.DOWN);
    serve(f.health);

    Reply readyz = get("/readyz?verbose");
    assertThat(readyz.status).isEqualTo(503);
    assertThat(readyz.body)
        .isEqualTo(
            "[-]db failed: reason withheld\n"
                + "[~]cache ok (optional)\n"
                + "readiness check failed\n");
    assertThat(get("/healthz?verbose").body).doesNotContain("10.1.2.3", "password");
    assertThat(get("/readyz/db?verbose").body)
        .isEqualTo("[-]db failed: reason withheld\ndb check failed\n");
  }

  @Test
  void verboseShowsReasonsWhenTheDetailsPolicyAllows() throws Exception {
    Fixture f = fixture();
    f.db.set(CheckResult.down("connection refused"));
    awaitStatus(f.health, "db", Status.DOWN);
    serve(ProbeEndpoints.builder(f.health).detailsPolicy(DetailsPolicy.always()).build());

    Reply readyz = get("/readyz?verbose");
    assertThat(readyz.status).isEqualTo(503);
    assertThat(readyz.body)
        .isEqualTo(
            "[-]db failed: connection refused\n"
                + "[~]cache ok (optional)\n"
                + "readiness check failed\n");
    assertThat(get("/readyz/db?verbose").body)
        .isEqualTo("[-]db failed: connection refused\ndb check failed\n");
    assertThat(get("/readyz").body).as("the terse answer never has reasons").isEqualTo("readiness check failed");
  }

  @Test
  void bearerTokenRevealsReasonsOnlyToTheRightToken() throws Exception {
    Fixture f = fixture();
    f.db.set(CheckResult.down("connection refused"));
    awaitStatus(f.health, "db", Status.DOWN);
    serve(ProbeEndpoints.builder(f.health).detailsPolicy(DetailsPolicy.bearerToken("s3cr3t-t0ken")).build());

    Reply right = get("/readyz?verbose", "Authorization", "Bearer s3cr3t-t0ken");
    assertThat(right.body).contains("[-]db failed: connection refused\n");

    for (String[] headers :
        List.of(
            new String[] {"Authorization", "Bearer wrong"},
            new String[] {"Authorization", "Bearer s3cr3t-t0ke"},
            new String[] {"Authorization", "Bearer s3cr3t-t0kenX"},
            new String[] {"Authorization", "Basic czNjcjN0LXQwa2Vu"},
            new String[] {})) {
      Reply reply = get("/readyz?verbose", headers);
      assertThat(reply.status).isEqualTo(503);
      assertThat(reply.body).as(Arrays.toString(headers)).contains("[-]db failed: reason withheld\n");
      assertThat(reply.body).doesNotContain("refused", "s3cr3t");
      Map<String, Object> json = JsonTree.parseObject(get("/readyz?format=json", headers).body);
      assertThat(check(json, "db")).doesNotContainKeys("message", "error", "details");
    }
    assertThat(right.body).doesNotContain("s3cr3t");
  }

  @Test
  void thrownExceptionShowsItsClassAndMessageOnlyWithDetails() throws Exception {
    HealthRegistry health = newHealth();
    register(
        health,
        "db",
        () -> {
          throw new IOException("refused by 10.9.8.7:5432");
        },
        CheckOptions.of(Probe.READINESS));
    awaitStatus(health, "db", Status.DOWN);
    ProbeEndpoints withDetails = ProbeEndpoints.builder(health).detailsPolicy(DetailsPolicy.always()).build();
    serve(withDetails);

    Reply reply = get("/readyz?verbose");
    assertThat(reply.status).isEqualTo(503);
    assertThat(reply.body)
        .isEqualTo("[-]db failed: java.io.IOException: refused by 10.9.8.7:5432\nreadiness check failed\n");
    assertThat(reply.body).doesNotContainPattern(STACK_FRAME);
    Map<String, Object> db = check(JsonTree.parseObject(get("/readyz?format=json").body), "db");
    assertThat(db).containsEntry("status", "DOWN");
    assertThat((String) db.get("error")).isEqualTo("java.io.IOException: refused by 10.9.8.7:5432");
  }

  @Test
  void thrownExceptionIsWithheldWithoutDetails() throws Exception {
    HealthRegistry health = newHealth();
    register(
        health,
        "db",
        () -> {
          throw new IOException("refused by 10.9.8.7:5432");
        },
        CheckOptions.of(Probe.READINESS));
    awaitStatus(health, "db", Status.DOWN);
    serve(health);

    for (String target : List.of("/readyz", "/readyz?verbose", "/readyz/db?verbose", "/readyz?format=json", "/healthz?verbose")) {
      Reply reply = get(target);
      assertThat(reply.status).as(target).isEqualTo(503);
      assertThat(reply.body).as(target).doesNotContain("IOException", "10.9.8.7", "refused");
    }
  }

  @Test
  void timedOutCheckIsDownAndSaysSoWhenDetailsAreAllowed() throws Exception {
    HealthRegistry health = newHealth();
    CountDownLatch never = latch();
    register(
        health,
        "slow",
        () -> {
          never.await();
          return CheckResult.up();
        },
        CheckOptions.builder(Probe.READINESS).timeout(Duration.ofMillis(50)).build());
    awaitStatus(health, "slow", Status.DOWN);
    serve(ProbeEndpoints.builder(health).detailsPolicy(DetailsPolicy.always()).build());

    Reply reply = get("/readyz?verbose");
    assertThat(reply.status).isEqualTo(503);
    assertThat(reply.body).startsWith("[-]slow failed: timed out after 50ms").endsWith("readiness check failed\n");
  }

  @Test
  void checkThatHasNotRunYetIsAliveButNotReadyOrStarted() throws Exception {
    HealthRegistry health = newHealth();
    CountDownLatch release = latch();
    register(
        health,
        "warmup",
        () -> {
          release.await();
          return CheckResult.up();
        },
        CheckOptions.builder(Probe.LIVENESS, Probe.READINESS, Probe.STARTUP).timeout(Duration.ofSeconds(30)).build());
    serve(health);
    assertThat(health.check("warmup").orElseThrow().status()).isEqualTo(Status.UNKNOWN);

    Reply livez = get("/livez");
    assertThat(livez.status).as("UNKNOWN is alive").isEqualTo(200);
    assertThat(livez.body).isEqualTo("ok");
    Reply readyz = get("/readyz");
    assertThat(readyz.status).as("UNKNOWN is not ready").isEqualTo(503);
    assertThat(readyz.body).isEqualTo("readiness check failed");
    Reply startupz = get("/startupz");
    assertThat(startupz.status).isEqualTo(503);
    assertThat(startupz.body).isEqualTo("startup check failed");
    assertThat(get("/healthz").status).isEqualTo(503);
    assertThat(get("/livez/warmup").status).isEqualTo(200);
    assertThat(get("/readyz/warmup").status).isEqualTo(503);
    assertThat(get("/livez?verbose").body).isEqualTo("[+]warmup pending: no result yet\nliveness check passed\n");
    assertThat(get("/readyz?verbose").body).isEqualTo("[-]warmup pending: no result yet\nreadiness check failed\n");
    assertThat(check(JsonTree.parseObject(get("/readyz?format=json").body), "warmup"))
        .containsEntry("status", "UNKNOWN")
        .doesNotContainKey("durationMs");
    assertThat(health.check("warmup").orElseThrow().status()).as("still blocked").isEqualTo(Status.UNKNOWN);

    release.countDown();
    awaitStatus(health, "warmup", Status.UP);
    assertThat(get("/readyz").status).isEqualTo(200);
    assertThat(get("/startupz").status).isEqualTo(200);
  }

  // ---------------------------------------------------------------------------------------------
  // ?exclude
  // ---------------------------------------------------------------------------------------------

  @Test
  void excludedCheckDoesNotCountAndIsShownAsExcluded() throws Exception {
    Fixture f = fixture();
    f.db.set(CheckResult.down("gone"));
    awaitStatus(f.health, "db", Status.DOWN);
    serve(f.health);

    Reply terse = get("/readyz?exclude=db");
    assertThat(terse.status).isEqualTo(200);
    assertThat(terse.body).isEqualTo("ok");
    Reply verbose = get("/readyz?exclude=db&verbose");
    assertThat(verbose.status).isEqualTo(200);
    assertThat(verbose.body)
        .isEqualTo("[+]db excluded: ok\n[~]cache ok (optional)\nreadiness check passed\n");
    assertThat(get("/healthz?exclude=db").status).isEqualTo(200);
    assertThat(get("/readyz").status).as("the exclusion is per request").isEqualTo(503);
  }

  @Test
  void excludeIsRepeatable() throws Exception {
    Fixture f = fixture();
    SwitchableCheck queue = register(f.health, "queue", CheckResult.down("broker gone"), Probe.READINESS);
    f.db.set(CheckResult.down("gone"));
    awaitStatus(f.health, "db", Status.DOWN);
    awaitStatus(f.health, "queue", Status.DOWN);
    serve(f.health);

    assertThat(get("/readyz?exclude=db").status).isEqualTo(503);
    assertThat(get("/readyz?exclude=queue").status).isEqualTo(503);
    Reply both = get("/readyz?exclude=db&exclude=queue&verbose");
    assertThat(both.status).isEqualTo(200);
    assertThat(both.body)
        .isEqualTo(
            "[+]db excluded: ok\n"
                + "[~]cache ok (optional)\n"
                + "[+]queue excluded: ok\n"
                + "readiness check passed\n");
    assertThat(queue.runs()).isPositive();
  }

  @Test
  void excludingAnUnknownCheckIsIgnoredButWarnedInVerboseOutput() throws Exception {
    Fixture f = fixture();
    serve(f.health);

    Reply terse = get("/readyz?exclude=nope");
    assertThat(terse.status).isEqualTo(200);
    assertThat(terse.body).isEqualTo("ok");
    Reply verbose = get("/readyz?verbose&exclude=nope");
    assertThat(verbose.status).isEqualTo(200);
    assertThat(verbose.body)
        .isEqualTo(
            "[+]db ok\n"
                + "[~]cache ok (optional)\n"
                + "warn: some health checks cannot be excluded: no matches for \"nope\"\n"
                + "readiness check passed\n");
    Reply two = get("/readyz?verbose&exclude=nope&exclude=db&exclude=gone");
    assertThat(two.body)
        .contains("[+]db excluded: ok\n")
        .contains("warn: some health checks cannot be excluded: no matches for \"nope\", \"gone\"\n");
  }

  @Test
  void excludeValuesArePercentDecoded() throws Exception {
    Fixture f = fixture();
    f.db.set(CheckResult.down("gone"));
    awaitStatus(f.health, "db", Status.DOWN);
    serve(f.health);

    assertThat(get("/readyz?exclude=%64%62").status).isEqualTo(200);
    assertThat(get("/readyz?%65xclude=db").status).isEqualTo(200);
  }

  @Test
  void excludedNamesAreEchoedSafely() throws Exception {
    Fixture f = fixture();
    serve(f.health);

    Reply reply = get("/readyz?verbose&exclude=%3Cscript%3E%0D%0AX-Injected:%20yes%22");
    assertThat(reply.status).isEqualTo(200);
    assertThat(reply.header("X-Injected")).isNull();
    List<String> warn =
        reply.body.lines().filter(l -> l.startsWith("warn:")).collect(Collectors.toList());
    assertThat(warn).hasSize(1);
    assertThat(reply.body.lines().count()).as("no forged lines").isEqualTo(4);
  }

  // ---------------------------------------------------------------------------------------------
  // JSON
  // ---------------------------------------------------------------------------------------------

  @Test
  void acceptApplicationJsonGetsJson() throws Exception {
    Fixture f = fixture();
    serve(f.health);

    Reply reply = get("/readyz", "Accept", "application/json");
    assertThat(reply.status).isEqualTo(200);
    assertJsonContract(reply);
    Map<String, Object> json = JsonTree.parseObject(reply.body);
    assertThat(json).containsEntry("status", "UP").containsEntry("probe", "readiness");
    List<Map<String, Object>> checks = checks(json);
    assertThat(checks).extracting(c -> c.get("name")).containsExactly("db", "cache");
    Map<String, Object> db = checks.get(0);
    assertThat(db).containsEntry("status", "UP").containsEntry("required", true);
    assertThat(db.get("durationMs")).isInstanceOf(Long.class);
    assertThat((Long) db.get("durationMs")).isBetween(0L, 5_000L);
    assertThat(db).doesNotContainKeys("message", "error", "details");
    assertThat(checks.get(1)).containsEntry("required", false).containsEntry("status", "UP");

    Reply listed = get("/readyz", "Accept", "text/html, application/json;q=0.9");
    assertJsonContract(listed);
  }

  @Test
  void formatJsonParameterGetsJsonAndDownIs503() throws Exception {
    Fixture f = fixture();
    f.db.set(CheckResult.down("gone"));
    awaitStatus(f.health, "db", Status.DOWN);
    serve(f.health);

    Reply reply = get("/readyz?format=json");
    assertThat(reply.status).isEqualTo(503);
    assertJsonContract(reply);
    Map<String, Object> json = JsonTree.parseObject(reply.body);
    assertThat(json).containsEntry("status", "DOWN").containsEntry("probe", "readiness");
    assertThat(check(json, "db")).containsEntry("status", "DOWN").doesNotContainKey("message");

    Reply liveness = get("/livez?format=json");
    assertThat(liveness.status).isEqualTo(200);
    assertThat(JsonTree.parseObject(liveness.body)).containsEntry("status", "UP").containsEntry("probe", "liveness");
    assertThat(JsonTree.parseObject(get("/startupz?format=json").body)).containsEntry("probe", "startup");
  }

  @Test
  void jsonShowsMessagesAndDetailsOnlyWhenAllowed() throws Exception {
    Fixture f = fixture();
    f.db.set(
        CheckResult.down("pool exhausted")
            .withDetail("active", 10)
            .withDetail("pool", "main")
            .withDetail("saturated", true)
            .withDetail("load", 0.5));
    awaitStatus(f.health, "db", Status.DOWN);
    serve(ProbeEndpoints.builder(f.health).detailsPolicy(DetailsPolicy.always()).build());

    Map<String, Object> db = check(JsonTree.parseObject(get("/readyz?format=json").body), "db");
    assertThat(db).containsEntry("status", "DOWN").containsEntry("message", "pool exhausted");
    assertThat(db.get("details"))
        .isEqualTo(Map.of("active", 10L, "pool", "main", "saturated", true, "load", 0.5));
  }

  @Test
  void jsonForOneCheckAndForHealthz() throws Exception {
    Fixture f = fixture();
    f.db.set(CheckResult.down("gone"));
    awaitStatus(f.health, "db", Status.DOWN);
    serve(f.health);

    Reply one = get("/readyz/db?format=json");
    assertThat(one.status).isEqualTo(503);
    assertJsonContract(one);
    Map<String, Object> json = JsonTree.parseObject(one.body);
    assertThat(json).containsEntry("status", "DOWN");
    assertThat(checks(json)).extracting(c -> c.get("name")).containsExactly("db");

    Reply all = get("/healthz", "Accept", "application/json");
    assertThat(all.status).isEqualTo(503);
    Map<String, Object> healthz = JsonTree.parseObject(all.body);
    assertThat(healthz).containsEntry("status", "DOWN").containsEntry("probe", "health");
    assertThat(checks(healthz)).extracting(c -> c.get("name")).containsExactly("deadlocks", "db", "cache", "migrations");
  }

  @Test
  void jsonReportsExclusionsAndUnmatchedNames() throws Exception {
    Fixture f = fixture();
    f.db.set(CheckResult.down("gone"));
    awaitStatus(f.health, "db", Status.DOWN);
    serve(f.health);

    Reply reply = get("/readyz?format=json&exclude=db&exclude=nope");
    assertThat(reply.status).isEqualTo(200);
    Map<String, Object> json = JsonTree.parseObject(reply.body);
    assertThat(json).containsEntry("status", "UP");
    assertThat(check(json, "db")).containsEntry("excluded", true).containsEntry("status", "DOWN");
    assertThat(json.get("warnings")).isEqualTo(List.of("cannot be excluded: no matches for \"nope\""));
  }

  // ---------------------------------------------------------------------------------------------
  // application/health+json (draft-inadarei-api-health-check)
  // ---------------------------------------------------------------------------------------------

  protected static final String HEALTH_JSON = "application/health+json";

  @Test
  void acceptHealthJsonGetsTheIetfFormat() throws Exception {
    Fixture f = fixture();
    serve(f.health);

    Reply reply = get("/readyz", "Accept", HEALTH_JSON);
    assertThat(reply.status).isEqualTo(200);
    assertHealthJsonContract(reply);
    Map<String, Object> json = JsonTree.parseObject(reply.body);
    assertThat(json).containsEntry("status", "pass").containsEntry("description", "readiness");
    assertThat(json).doesNotContainKey("output");
    assertThat(healthChecks(json)).containsOnlyKeys("db", "cache");
    Map<String, Object> db = healthCheck(json, "db");
    assertThat(db).containsEntry("status", "pass").containsEntry("componentId", "db");
    assertThat(java.time.Instant.parse((String) db.get("time")))
        .isBetween(java.time.Instant.now().minusSeconds(60), java.time.Instant.now().plusSeconds(1));
    assertThat(db).doesNotContainKeys("output", "observedValue");
  }

  @Test
  void healthJsonFailIs503AndWithholdsOutput() throws Exception {
    Fixture f = fixture();
    f.db.set(CheckResult.down("password=hunter2 rejected"));
    awaitStatus(f.health, "db", Status.DOWN);
    serve(f.health);

    Reply reply = get("/readyz", "Accept", HEALTH_JSON);
    assertThat(reply.status).isEqualTo(503);
    assertHealthJsonContract(reply);
    Map<String, Object> json = JsonTree.parseObject(reply.body);
    assertThat(json).containsEntry("status", "fail");
    assertThat(healthCheck(json, "db")).containsEntry("status", "fail").doesNotContainKey("output");
    assertThat(reply.body).doesNotContain("hunter2");
    // Liveness is unaffected.
    Reply livez = get("/livez", "Accept", HEALTH_JSON);
    assertThat(livez.status).isEqualTo(200);
    assertThat(JsonTree.parseObject(livez.body)).containsEntry("status", "pass");
  }

  @Test
  void healthJsonShowsOutputWhenTheDetailsPolicyAllows() throws Exception {
    Fixture f = fixture();
    f.db.set(CheckResult.down("connection refused"));
    awaitStatus(f.health, "db", Status.DOWN);
    f.health.startup().down("warming caches");
    serve(ProbeEndpoints.builder(f.health).detailsPolicy(DetailsPolicy.always()).build());

    Map<String, Object> json = JsonTree.parseObject(get("/readyz", "Accept", HEALTH_JSON).body);
    assertThat(healthCheck(json, "db")).containsEntry("status", "fail").containsEntry("output", "connection refused");
    Map<String, Object> all = JsonTree.parseObject(get("/healthz", "Accept", HEALTH_JSON).body);
    assertThat(all).containsEntry("status", "fail").containsEntry("output", "startup: warming caches");
  }

  @Test
  void optionalCheckThatFailsMakesHealthJsonWarnWith200() throws Exception {
    Fixture f = fixture();
    f.cache.set(CheckResult.down("cold"));
    awaitStatus(f.health, "cache", Status.DOWN);
    serve(f.health);

    Reply reply = get("/readyz", "Accept", HEALTH_JSON);
    assertThat(reply.status).isEqualTo(200);
    Map<String, Object> json = JsonTree.parseObject(reply.body);
    assertThat(json).containsEntry("status", "warn");
    assertThat(healthCheck(json, "cache")).containsEntry("status", "warn");
    assertThat(healthCheck(json, "db")).containsEntry("status", "pass");
  }

  @Test
  void healthJsonCarriesObservedValues() throws Exception {
    Fixture f = fixture();
    f.db.set(CheckResult.up().withDetail("latencyMs", 3L));
    f.cache.set(
        CheckResult.up().withDetail("observedValue", 42).withDetail("observedUnit", "entries"));
    f.deadlocks.set(CheckResult.up().withDetail("observedValue", "secret-host:5432"));
    f.health.unregister("migrations");
    waiting()
        .until(
            () ->
                f.health.check("db").flatMap(CheckState::lastResult).map(r -> r.details().containsKey("latencyMs")).orElse(false)
                    && f.health.check("cache").flatMap(CheckState::lastResult).map(r -> r.details().containsKey("observedValue")).orElse(false)
                    && f.health.check("deadlocks").flatMap(CheckState::lastResult).map(r -> r.details().containsKey("observedValue")).orElse(false));
    serve(f.health);

    Map<String, Object> json = JsonTree.parseObject(get("/healthz", "Accept", HEALTH_JSON).body);
    assertThat(json).containsEntry("status", "pass").containsEntry("description", "health");
    assertThat(healthCheck(json, "db")).containsEntry("observedValue", 3L).containsEntry("observedUnit", "ms");
    assertThat(healthCheck(json, "cache")).containsEntry("observedValue", 42L).containsEntry("observedUnit", "entries");
    // A text value may name hosts or credentials: only with details.
    assertThat(healthCheck(json, "deadlocks")).doesNotContainKey("observedValue");
  }

  @Test
  void healthJsonForOneCheckWithExcludesAndOnHead() throws Exception {
    Fixture f = fixture();
    f.db.set(CheckResult.down("gone"));
    awaitStatus(f.health, "db", Status.DOWN);
    serve(f.health);

    Reply one = get("/readyz/db", "Accept", HEALTH_JSON);
    assertThat(one.status).isEqualTo(503);
    assertHealthJsonContract(one);
    assertThat(healthChecks(JsonTree.parseObject(one.body))).containsOnlyKeys("db");

    Reply excluded = get("/readyz?exclude=db", "Accept", HEALTH_JSON);
    assertThat(excluded.status).isEqualTo(200);
    Map<String, Object> json = JsonTree.parseObject(excluded.body);
    assertThat(json).containsEntry("status", "pass");
    assertThat(healthChecks(json)).containsOnlyKeys("cache");

    Reply head = request("HEAD", "/readyz", "Accept", HEALTH_JSON);
    assertThat(head.status).isEqualTo(503);
    assertThat(head.body).isEmpty();
    assertThat(head.header("Content-Type")).isEqualTo(get("/readyz", "Accept", HEALTH_JSON).header("Content-Type"));
  }

  @Test
  void healthJsonOnlyWhenAcceptPrefersIt() throws Exception {
    Fixture f = fixture();
    serve(f.health);

    for (String accept :
        List.of(
            HEALTH_JSON,
            "Application/Health+JSON",
            "application/health+json, */*",
            "application/health+json, application/json",
            "application/json;q=0.5, application/health+json",
            "text/html, application/health+json;q=0.9")) {
      assertHealthJsonContract(get("/readyz", "Accept", accept));
    }
    for (String accept :
        List.of("*/*", "application/json, application/health+json", "application/health+json;q=0.5, application/json")) {
      assertThat(normalize(get("/readyz", "Accept", accept).header("Content-Type")))
          .as("Accept: " + accept)
          .isIn(TEXT_PLAIN, "application/json", "application/json;charset=utf-8");
    }
    Reply zero = get("/readyz", "Accept", "application/health+json;q=0, */*;q=0.1");
    assertPlainTextContract(zero);
    assertThat(zero.body).isEqualTo("ok");
    Reply bogus = get("/readyz", "Accept", "application/health+json;q=abc, text/plain;q=0.1");
    assertPlainTextContract(bogus);
    // An explicit format wins over Accept.
    assertJsonContract(get("/readyz?format=json", "Accept", HEALTH_JSON));
    assertPlainTextContract(get("/readyz?format=text", "Accept", HEALTH_JSON));
  }

  /** The headers every health+json answer carries. */
  protected static void assertHealthJsonContract(Reply reply) {
    assertThat(normalize(reply.header("Content-Type"))).as("Content-Type of " + reply).isEqualTo(HEALTH_JSON);
    assertNoStoreNoSniff(reply);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> healthChecks(Map<String, Object> json) {
    Object checks = json.get("checks");
    assertThat(checks).as("checks of " + json).isInstanceOf(Map.class);
    return (Map<String, Object>) checks;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> healthCheck(Map<String, Object> json, String name) {
    Object entry = healthChecks(json).get(name);
    assertThat(entry).as(name + " in " + json).isInstanceOf(List.class);
    List<Object> list = (List<Object>) entry;
    assertThat(list).as(name + " in " + json).hasSize(1);
    return (Map<String, Object>) list.get(0);
  }

  // ---------------------------------------------------------------------------------------------
  // Bad input
  // ---------------------------------------------------------------------------------------------

  @Test
  void percentEscapesThatAreNotUtf8Are400WithAPlainTextReason() throws Exception {
    Fixture f = fixture();
    serve(f.health);

    for (String target : List.of("/readyz?exclude=%FF", "/readyz?verbose&exclude=%C3%28", "/livez?%E2%82=1")) {
      Reply reply = get(target);
      assertThat(reply.status).as(target).isEqualTo(400);
      assertShortPlainTextError(reply);
      assertThat(reply.body).as(target).contains("percent");
    }
  }

  @Test
  void malformedPercentEscapesAre400WithoutAStackTrace() throws Exception {
    Fixture f = fixture();
    serve(f.health);

    for (String target :
        List.of(
            "/readyz?exclude=%zz",
            "/readyz?verbose&exclude=%",
            "/readyz?exclude=%4",
            "/livez?%G1=x",
            "/readyz/%zz",
            "/readyz/db%",
            "/readyz/%C3%28")) {
      RawHttp.Response reply = RawHttp.exchange(base, "GET", target);
      assertThat(reply.status()).as(target).isEqualTo(400);
      assertThat(reply.body().length()).as("a short body for " + target).isLessThan(2048);
      assertThat(reply.body()).as(target).doesNotContainPattern(STACK_FRAME).doesNotContain("Caused by");
    }
  }

  @Test
  void overlongQueryIs414Or400() throws Exception {
    Fixture f = fixture();
    serve(f.health);

    Reply reply = get("/readyz?verbose&pad=" + "a".repeat(3000));
    assertThat(reply.status).isIn(414, 400);
    assertShortPlainTextError(reply);
  }

  @Test
  void overlongPathIs414Or400() throws Exception {
    Fixture f = fixture();
    serve(f.health);

    Reply reply = get("/readyz/" + "a".repeat(3000));
    assertThat(reply.status).isIn(414, 400);
    assertShortPlainTextError(reply);
  }

  @Test
  void queryOfExactly2KiBIsAccepted() throws Exception {
    Fixture f = fixture();
    serve(f.health);

    String query = "verbose&pad=";
    query += "a".repeat(2048 - query.length());
    assertThat(query).hasSize(2048);
    Reply reply = get("/readyz?" + query);
    assertThat(reply.status).isEqualTo(200);
    assertThat(reply.body).endsWith("readiness check passed\n");
    assertThat(get("/readyz?" + query + "a").status).isIn(414, 400);
  }

  @Test
  void unknownQueryParametersAreIgnored() throws Exception {
    Fixture f = fixture();
    serve(f.health);

    Reply terse = get("/livez?foo=bar&timeout=32s&x");
    assertThat(terse.status).isEqualTo(200);
    assertThat(terse.body).isEqualTo("ok");
    Reply verbose = get("/readyz?foo=bar&verbose&&=&x=%20");
    assertThat(verbose.status).isEqualTo(200);
    assertThat(verbose.body).isEqualTo("[+]db ok\n[~]cache ok (optional)\nreadiness check passed\n");
  }

  @Test
  void errorBodiesAreShortPlainTextWithoutStackTraces() throws Exception {
    Fixture f = fixture();
    serve(f.health);

    List<Reply> errors = new ArrayList<>();
    errors.add(get("/readyz/nope"));
    errors.add(request("DELETE", "/readyz"));
    errors.add(get("/readyz?exclude=%FF"));
    errors.add(get("/readyz?x=" + "y".repeat(3000)));
    for (Reply reply : errors) {
      assertThat(reply.status).as(reply.toString()).isBetween(400, 499);
      assertShortPlainTextError(reply);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Overrides, prefix, paths outside the contract
  // ---------------------------------------------------------------------------------------------

  @Test
  void manualOverrideHoldsReadinessDownUntilCleared() throws Exception {
    Fixture f = fixture();
    serve(ProbeEndpoints.builder(f.health).detailsPolicy(DetailsPolicy.bearerToken("ops")).build());

    f.health.readiness().down("maintenance window");
    Reply readyz = get("/readyz");
    assertThat(readyz.status).isEqualTo(503);
    assertThat(readyz.body).isEqualTo("readiness check failed");
    assertThat(get("/livez").status).as("only readiness is held down").isEqualTo(200);
    assertThat(get("/healthz").status).isEqualTo(503);
    assertThat(get("/readyz?verbose").body)
        .isEqualTo(
            "[+]db ok\n"
                + "[~]cache ok (optional)\n"
                + "[-]override failed: reason withheld\n"
                + "readiness check failed\n");
    assertThat(get("/readyz?verbose", "Authorization", "Bearer ops").body)
        .contains("[-]override failed: maintenance window\n");
    assertThat(get("/readyz?exclude=db&exclude=cache").status).as("exclusions do not lift an override").isEqualTo(503);

    f.health.readiness().clear();
    Reply cleared = get("/readyz");
    assertThat(cleared.status).isEqualTo(200);
    assertThat(cleared.body).isEqualTo("ok");
  }

  @Test
  void prefixMovesEveryPath() throws Exception {
    Fixture f = fixture();
    serve(ProbeEndpoints.builder(f.health).prefix("/health").build());

    for (String path :
        List.of("/health/livez", "/health/readyz", "/health/startupz", "/health/healthz", "/health/readyz/db")) {
      Reply reply = get(path);
      assertThat(reply.status).as(path).isEqualTo(200);
      assertThat(reply.body).isEqualTo("ok");
      assertPlainTextContract(reply);
    }
    assertThat(get("/health/readyz?verbose").body).endsWith("readiness check passed\n");
    assertThat(request("POST", "/health/readyz").status).isEqualTo(405);
    for (String unprefixed : List.of("/livez", "/readyz", "/startupz", "/healthz")) {
      assertThat(get(unprefixed).status).as(unprefixed).isEqualTo(404);
    }
  }

  @Test
  void pathsNextToTheContractAreNotProbes() throws Exception {
    Fixture f = fixture();
    serve(f.health);

    for (String path : List.of("/readyzz", "/livez.json", "/readyz/", "/ready", "/READYZ", "/read%79z")) {
      Reply reply = get(path);
      assertThat(reply.status).as(path).isEqualTo(404);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Concurrency
  // ---------------------------------------------------------------------------------------------

  @Test
  void everyResponseIsSelfConsistentWhileACheckFlips() throws Exception {
    HealthRegistry health = newHealth();
    AtomicInteger runs = new AtomicInteger();
    register(
        health,
        "flip",
        () -> runs.incrementAndGet() % 2 == 0 ? CheckResult.up() : CheckResult.down("odd run"),
        CheckOptions.builder(Probe.READINESS).interval(Duration.ofMillis(5)).build());
    // Until its first run completes the check is UNKNOWN ("pending"), which is neither answer.
    waiting().until(() -> health.check("flip").map(c -> c.status() != Status.UNKNOWN).orElse(false));
    serve(health);

    ExecutorService clients = Executors.newFixedThreadPool(4);
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      long minimum = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
      Set<Integer> seen = Collections.synchronizedSet(new TreeSet<>());
      List<Future<Integer>> results = new ArrayList<>();
      String[] targets = {"/readyz", "/readyz?verbose", "/readyz?format=json", "/readyz/flip"};
      for (int t = 0; t < 4; t++) {
        String target = targets[t];
        results.add(
            clients.submit(
                () -> {
                  int count = 0;
                  while (System.nanoTime() < deadline
                      && (System.nanoTime() < minimum || seen.size() < 2)) {
                    Reply reply = get(target);
                    assertSelfConsistent(target, reply);
                    seen.add(reply.status);
                    count++;
                  }
                  return count;
                }));
      }
      int total = 0;
      for (Future<Integer> result : results) {
        total += result.get(10, TimeUnit.SECONDS);
      }
      assertThat(seen).as("both answers seen in " + total + " responses").containsExactly(200, 503);
    } finally {
      clients.shutdownNow();
    }
  }

  private static void assertSelfConsistent(String target, Reply reply) {
    assertThat(reply.status).as(target).isIn(200, 503);
    boolean up = reply.status == 200;
    if (target.contains("format=json")) {
      Map<String, Object> json = JsonTree.parseObject(reply.body);
      assertThat(json.get("status")).as(reply.body).isEqualTo(up ? "UP" : "DOWN");
      assertThat(check(json, "flip").get("status")).as(reply.body).isEqualTo(up ? "UP" : "DOWN");
    } else if (target.contains("verbose")) {
      assertThat(reply.body)
          .isEqualTo(up ? "[+]flip ok\nreadiness check passed\n" : "[-]flip failed: reason withheld\nreadiness check failed\n");
    } else if (target.endsWith("/flip")) {
      assertThat(reply.body).isEqualTo(up ? "ok" : "flip check failed");
    } else {
      assertThat(reply.body).isEqualTo(up ? "ok" : "readiness check failed");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // ETag, If-None-Match and long-poll (Prefer: wait=N)
  // ---------------------------------------------------------------------------------------------

  @Test
  void everyProbeAnswerCarriesAnETagNamingItsStatusStablePerStatus() throws Exception {
    Fixture f = fixture();
    serve(f.health);

    Reply up = get("/readyz");
    assertThat(up.header("ETag")).as(up.toString()).isEqualTo("\"up\"");
    assertThat(get("/readyz").header("ETag")).as("stable while the status is").isEqualTo("\"up\"");
    assertThat(request("HEAD", "/readyz").header("ETag")).isEqualTo("\"up\"");
    assertThat(get("/livez").header("ETag")).isEqualTo("\"up\"");
    assertThat(get("/healthz").header("ETag")).isEqualTo("\"up\"");
    // Representations whose bytes change while the status does not carry a weak tag.
    assertThat(get("/readyz?verbose").header("ETag")).isEqualTo("W/\"up\"");
    assertThat(get("/readyz", "Accept", "application/json").header("ETag")).isEqualTo("W/\"up\"");
    assertThat(get("/readyz", "Accept", "application/health+json").header("ETag")).isEqualTo("W/\"up\"");
    assertThat(get("/readyz/db").header("ETag")).as("plain text, one check").isEqualTo("\"up\"");
    assertThat(get("/readyz?exclude=cache").header("ETag")).isEqualTo("\"up\"");
    assertThat(get("/readyz/nope").header("ETag")).as("no verdict, no tag").isNull();

    f.db.set(CheckResult.down("gone"));
    awaitStatus(f.health, "db", Status.DOWN);
    Reply down = get("/readyz");
    assertThat(down.status).isEqualTo(503);
    assertThat(down.header("ETag")).isEqualTo("\"down\"");
    assertThat(get("/readyz?verbose").header("ETag")).isEqualTo("W/\"down\"");
  }

  @Test
  void matchingIfNoneMatchIsAnswered304AtOnceWithoutABody() throws Exception {
    Fixture f = fixture();
    serve(f.health);

    for (String tag : List.of("\"up\"", "W/\"up\"", "\"x\", \"up\"", "*")) {
      Reply reply = get("/readyz", "If-None-Match", tag);
      assertThat(reply.status).as(tag + ": " + reply).isEqualTo(304);
      assertThat(reply.body).as(tag).isEmpty();
      assertThat(reply.header("ETag")).as(tag).isEqualTo("\"up\"");
    }
    Reply verbose = get("/readyz?verbose", "If-None-Match", "\"up\"");
    assertThat(verbose.status).as("weak comparison").isEqualTo(304);
    assertThat(verbose.header("ETag")).isEqualTo("W/\"up\"");

    Reply stale = get("/readyz", "If-None-Match", "\"down\"");
    assertThat(stale.status).isEqualTo(200);
    assertThat(stale.body).isEqualTo("ok");
    assertThat(get("/readyz", "If-None-Match", "\"up").status).as("malformed: no match").isEqualTo(200);
    assertThat(get("/readyz/nope", "If-None-Match", "*").status).isEqualTo(404);
  }

  @Test
  void longPollIsAnsweredWithinMillisecondsOfATransition() throws Exception {
    Fixture f = fixture();
    AtomicLong changedAt = new AtomicLong();
    f.health.addProbeListener((previous, current) -> {
      if (current.probe().orElse(null) == Probe.READINESS) {
        changedAt.set(System.nanoTime());
      }
    });
    serve(f.health);

    CompletableFuture<HttpResponse<String>> poll = longPoll("/readyz", "\"up\"", 20);
    // It waits: no answer while nothing changes.
    Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
        .until(() -> !poll.isDone());

    f.db.set(CheckResult.down("gone"));
    HttpResponse<String> answer = poll.get(10, TimeUnit.SECONDS);
    long answeredAt = System.nanoTime();
    assertThat(answer.statusCode()).as(answer.toString()).isEqualTo(503);
    assertThat(answer.body()).isEqualTo("readiness check failed");
    assertThat(answer.headers().firstValue("ETag")).hasValue("\"down\"");
    long millis = TimeUnit.NANOSECONDS.toMillis(answeredAt - changedAt.get());
    assertThat(millis).as("transition to answer, ms").isLessThan(200);

    // And back: the client now holds "down".
    CompletableFuture<HttpResponse<String>> back = longPoll("/readyz?verbose", "\"down\"", 20);
    Awaitility.await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2))
        .until(() -> !back.isDone());
    f.db.set(CheckResult.up());
    HttpResponse<String> up = back.get(10, TimeUnit.SECONDS);
    assertThat(up.statusCode()).isEqualTo(200);
    assertThat(up.headers().firstValue("ETag")).hasValue("W/\"up\"");
  }

  @Test
  void longPollAnswers304WhenItsWaitIsOver() throws Exception {
    Fixture f = fixture();
    serve(f.health);

    long start = System.nanoTime();
    HttpResponse<String> answer = longPoll("/livez", "\"up\"", 1).get(10, TimeUnit.SECONDS);
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(answer.statusCode()).as(answer.toString()).isEqualTo(304);
    assertThat(answer.body()).isEmpty();
    assertThat(answer.headers().firstValue("ETag")).hasValue("\"up\"");
    assertThat(millis).as("waited about 1 s").isBetween(900L, 5_000L);

    // A stale tag is answered at once, whatever the wait.
    HttpResponse<String> stale = longPoll("/livez", "\"down\"", 30).get(5, TimeUnit.SECONDS);
    assertThat(stale.statusCode()).isEqualTo(200);
    assertThat(stale.body()).isEqualTo("ok");
  }

  /** GET with {@code If-None-Match: etag} and {@code Prefer: wait=seconds}, answered later. */
  protected final CompletableFuture<HttpResponse<String>> longPoll(String pathAndQuery, String etag,
      int seconds) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + pathAndQuery))
            .timeout(Duration.ofSeconds(seconds + 10))
            .header("If-None-Match", etag)
            .header("Prefer", "wait=" + seconds)
            .GET()
            .build();
    return CLIENT.sendAsync(request, HttpResponse.BodyHandlers.ofString());
  }

  // ---------------------------------------------------------------------------------------------
  // Fixture and helpers, usable by subclasses for their own tests
  // ---------------------------------------------------------------------------------------------

  /** The checks most tests use; every check starts UP and is awaited UP. */
  protected static final class Fixture {
    public final HealthRegistry health;
    /** LIVENESS. */
    public final SwitchableCheck deadlocks;
    /** READINESS, required. */
    public final SwitchableCheck db;
    /** READINESS, optional. */
    public final SwitchableCheck cache;
    /** STARTUP. */
    public final SwitchableCheck migrations;

    Fixture(HealthRegistry health, SwitchableCheck deadlocks, SwitchableCheck db, SwitchableCheck cache,
        SwitchableCheck migrations) {
      this.health = health;
      this.deadlocks = deadlocks;
      this.db = db;
      this.cache = cache;
      this.migrations = migrations;
    }
  }

  /**
   * A new {@link HealthRegistry} with checks deadlocks (liveness), db (readiness), cache (readiness,
   * optional) and migrations (startup), registered in that order, all UP.
   */
  protected final Fixture fixture() {
    HealthRegistry health = newHealth();
    SwitchableCheck deadlocks = register(health, "deadlocks", CheckResult.up(), Probe.LIVENESS);
    SwitchableCheck db = register(health, "db", CheckResult.up(), Probe.READINESS);
    SwitchableCheck cache = new SwitchableCheck(CheckResult.up());
    health.register("cache", cache, CheckOptions.builder(Probe.READINESS).required(false).build());
    SwitchableCheck migrations = register(health, "migrations", CheckResult.up(), Probe.STARTUP);
    for (String name : List.of("deadlocks", "db", "cache", "migrations")) {
      awaitStatus(health, name, Status.UP);
    }
    return new Fixture(health, deadlocks, db, cache, migrations);
  }

  /** A {@link HealthRegistry} with a 20 ms default interval, no jitter and a 5 s default timeout; closed after the test. */
  protected final HealthRegistry newHealth() {
    HealthRegistry health =
        HealthRegistry.builder().jitter(0).defaultInterval(INTERVAL).defaultTimeout(Duration.ofSeconds(5)).build();
    healths.add(health);
    return health;
  }

  /** A latch released after the test, so no check stays blocked on it. */
  protected final CountDownLatch latch() {
    CountDownLatch latch = new CountDownLatch(1);
    latches.add(latch);
    return latch;
  }

  /** Registers a {@link SwitchableCheck} starting with {@code initial} on the given probes. */
  protected static SwitchableCheck register(HealthRegistry health, String name, CheckResult initial, Probe probe,
      Probe... more) {
    SwitchableCheck check = new SwitchableCheck(initial);
    health.register(name, check, CheckOptions.of(probe, more));
    return check;
  }

  /** Registers any check. */
  protected static void register(HealthRegistry health, String name, HealthCheck check, CheckOptions options) {
    health.register(name, check, options);
  }

  /** Waits (at most 5 s) until the check's effective status is {@code status}. */
  protected static void awaitStatus(HealthRegistry health, String name, Status status) {
    waiting().until(() -> health.check(name).map(CheckState::status).orElse(null) == status);
  }

  /** Awaitility with a 5 s limit and a 2 ms poll, never a sleep. */
  protected static ConditionFactory waiting() {
    return Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(2));
  }

  /** Starts the server for {@code health} at the root paths with details never shown. */
  protected final URI serve(HealthRegistry health) throws Exception {
    return serve(ProbeEndpoints.of(health));
  }

  /** Starts the server for {@code endpoints}; stopped after the test. */
  protected final URI serve(ProbeEndpoints endpoints) throws Exception {
    if (serverStarted) {
      throw new IllegalStateException("one server per test");
    }
    base = startServer(endpoints);
    serverStarted = true;
    assertThat(base.getPort()).as("a real port").isPositive();
    return base;
  }

  /** The base URI of the running server. */
  protected final URI base() {
    return base;
  }

  /** GET {@code pathAndQuery} with header name/value pairs. */
  protected final Reply get(String pathAndQuery, String... headers) throws Exception {
    return request("GET", pathAndQuery, headers);
  }

  /** Any method, without a body. */
  protected final Reply request(String method, String pathAndQuery, String... headers) throws Exception {
    return send(method, pathAndQuery, HttpRequest.BodyPublishers.noBody(), headers);
  }

  /** Any method, with a small form body. */
  protected final Reply requestWithBody(String method, String pathAndQuery, String... headers) throws Exception {
    return send(method, pathAndQuery, HttpRequest.BodyPublishers.ofString("x=1"),
        concat(headers, "Content-Type", "application/x-www-form-urlencoded"));
  }

  private Reply send(String method, String pathAndQuery, HttpRequest.BodyPublisher body, String... headers)
      throws Exception {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(base + pathAndQuery))
            .timeout(Duration.ofSeconds(5))
            .method(method, body);
    for (int i = 0; i + 1 < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    HttpResponse<String> response = CLIENT.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(response);
  }

  /** A response: status, headers and body text. */
  protected static final class Reply {
    public final int status;
    public final String body;
    private final java.net.http.HttpHeaders headers;
    private final String request;

    Reply(HttpResponse<String> response) {
      this.status = response.statusCode();
      this.body = response.body();
      this.headers = response.headers();
      this.request = response.request().method() + " " + response.request().uri();
    }

    /** The first value of a header, or {@code null}. */
    public String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    @Override
    public String toString() {
      return request + " -> " + status + " " + headers.map() + " " + body;
    }
  }

  /** The headers every plain-text answer carries. */
  protected static void assertPlainTextContract(Reply reply) {
    assertThat(normalize(reply.header("Content-Type"))).as("Content-Type of " + reply).isEqualTo(TEXT_PLAIN);
    assertNoStoreNoSniff(reply);
  }

  /** The headers every JSON answer carries. */
  protected static void assertJsonContract(Reply reply) {
    String type = normalize(reply.header("Content-Type"));
    assertThat(type).as("Content-Type of " + reply).matches("application/json(;charset=utf-8)?");
    assertNoStoreNoSniff(reply);
  }

  protected static void assertNoStoreNoSniff(Reply reply) {
    assertThat(reply.header("Cache-Control")).as("Cache-Control of " + reply).isEqualTo("no-store");
    assertThat(reply.header("X-Content-Type-Options")).as("X-Content-Type-Options of " + reply).isEqualTo("nosniff");
  }

  /** A 4xx from the endpoints: short plain text, no stack trace, no exception class names. */
  protected static void assertShortPlainTextError(Reply reply) {
    assertPlainTextContract(reply);
    assertThat(reply.body).as("body of " + reply).isNotBlank().hasSizeLessThan(200);
    assertThat(reply.body).doesNotContainPattern(STACK_FRAME).doesNotContain("Exception", "Caused by", "java.");
  }

  @SuppressWarnings("unchecked")
  protected static List<Map<String, Object>> checks(Map<String, Object> json) {
    Object checks = json.get("checks");
    assertThat(checks).as("checks of " + json).isInstanceOf(List.class);
    return (List<Map<String, Object>>) checks;
  }

  protected static Map<String, Object> check(Map<String, Object> json, String name) {
    for (Map<String, Object> check : checks(json)) {
      if (name.equals(check.get("name"))) {
        return check;
      }
    }
    return fail("no check '%s' in %s", name, json);
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  private static String normalize(String contentType) {
    return contentType == null ? null : contentType.replace(" ", "").toLowerCase(Locale.ROOT);
  }

  private static List<String> tokens(String header) {
    List<String> tokens = new ArrayList<>();
    for (String token : header.split(",")) {
      tokens.add(token.trim().toUpperCase(Locale.ROOT));
    }
    return tokens;
  }
}

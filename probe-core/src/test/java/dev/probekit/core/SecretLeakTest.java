package dev.probekit.core;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.probekit.core.checks.Checks;
import dev.probekit.core.waits.DependencyWait;
import dev.probekit.core.waits.DependencyWaitException;
import dev.probekit.core.waits.Waits;
import dev.probekit.testsupport.StderrCapture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Plants one secret in every form users write it (JDBC URLs of PostgreSQL, MySQL, MariaDB,
 * Oracle, SQL Server and H2; HTTP URLs with user-info and token parameters; a password passed on
 * its own) and proves it leaves the library nowhere: not in a log line, an exception message, a
 * probe body (verbose and JSON, with details allowed) or a description, for checks and for waits.
 * The JDBC URLs meet no driver (DriverManager's "No suitable driver found for <url>" quotes the
 * whole URL) or a real H2 server that refuses the password; the HTTP URLs meet a WireMock server
 * answering 500 or a port that refuses connections.
 */
class SecretLeakTest {
  private static final String SECRET = "Zq7-hunter2-S3cr3t";
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private HealthRegistry health;
  private ProbeEndpoints endpoints;
  private String h2;
  private String wireMock;
  private String refused;

  @BeforeEach
  void start() throws Exception {
    health = HealthRegistry.builder().defaultInterval(Duration.ofMillis(50)).jitter(0).build();
    closeables.add(health);
    endpoints = ProbeEndpoints.builder(health).detailsPolicy(DetailsPolicy.always()).build();

    Server server = Server.createTcpServer("-tcpPort", "0", "-ifNotExists").start();
    closeables.add(server::stop);
    h2 = "jdbc:h2:tcp://127.0.0.1:" + server.getPort() + "/mem:leak";
    // The database exists with another password: every URL below is refused by it.
    Connection keepAlive = DriverManager.getConnection(h2 + ";DB_CLOSE_DELAY=-1", "sa", "right-pw");
    closeables.add(keepAlive);

    WireMockServer mock = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    mock.start();
    closeables.add(mock::stop);
    mock.stubFor(get(anyUrl()).willReturn(aResponse().withStatus(500).withBody("error for " + SECRET)));
    wireMock = "127.0.0.1:" + mock.port();
    // WireMock's first answer can take seconds on a loaded machine: not while the waits' clock runs.
    java.net.http.HttpClient.newHttpClient()
        .send(
            java.net.http.HttpRequest.newBuilder(URI.create("http://" + wireMock + "/warm-up")).build(),
            java.net.http.HttpResponse.BodyHandlers.discarding());

    // Bound by a client socket that never listens: connections to it are refused.
    Socket reservation = new Socket();
    reservation.bind(new InetSocketAddress(LOOPBACK, 0));
    closeables.add(reservation);
    refused = "127.0.0.1:" + reservation.getLocalPort();
  }

  @AfterEach
  void close() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  /** Every form, by name: {url, user, password} for JDBC, {url} for HTTP. */
  private Map<String, String[]> jdbcForms() {
    Map<String, String[]> forms = new LinkedHashMap<>();
    forms.put("pg-query", new String[] {"jdbc:postgresql://db.internal:5432/app?password=" + SECRET + "&user=app", null, null});
    forms.put("pg-amp", new String[] {"jdbc:postgresql://db.internal:5432/app?user=app&password=" + SECRET, null, null});
    forms.put("pg-arg", new String[] {"jdbc:postgresql://db.internal:5432/app", "app", SECRET});
    forms.put("mysql", new String[] {"jdbc:mysql://app:" + SECRET + "@db.internal:3306/app", null, null});
    forms.put("mariadb", new String[] {"jdbc:mariadb://app:" + SECRET + "@db.internal:3306/app?useSsl=true", null, null});
    forms.put("oracle", new String[] {"jdbc:oracle:thin:scott/" + SECRET + "@db.internal:1521/app", null, null});
    forms.put("oracle-svc", new String[] {"jdbc:oracle:thin:scott/" + SECRET + "@//db.internal:1521/app", null, null});
    forms.put("sqlserver", new String[] {"jdbc:sqlserver://db.internal:1433;databaseName=app;user=app;password=" + SECRET, null, null});
    forms.put("h2-url", new String[] {h2 + ";USER=sa;PASSWORD=" + SECRET, null, null});
    forms.put("h2-arg", new String[] {h2, "sa", SECRET});
    return forms;
  }

  private Map<String, String> httpForms() {
    Map<String, String> forms = new LinkedHashMap<>();
    for (String[] target : new String[][] {{"500", wireMock}, {"refused", refused}}) {
      String t = target[1];
      forms.put("userinfo-" + target[0], "http://app:" + SECRET + "@" + t + "/health");
      forms.put("token-" + target[0], "http://" + t + "/health?token=" + SECRET);
      forms.put("access-token-" + target[0], "http://" + t + "/health?x=1&access_token=" + SECRET);
      forms.put("api-key-" + target[0], "http://" + t + "/health?api_key=" + SECRET);
      forms.put("secret-" + target[0], "http://" + t + "/health?client_secret=" + SECRET);
    }
    return forms;
  }

  @Test
  void checksNeverShowTheSecret() throws Exception {
    List<String> texts = new ArrayList<>();
    try (StderrCapture err = new StderrCapture()) {
      int count = 0;
      for (Map.Entry<String, String[]> form : jdbcForms().entrySet()) {
        String[] f = form.getValue();
        HealthCheck check = Checks.jdbc(f[0], f[1], f[2]);
        texts.add(check.toString());
        health.register(form.getKey(), check, CheckOptions.of(Probe.READINESS));
        count++;
      }
      for (Map.Entry<String, String> form : httpForms().entrySet()) {
        HealthCheck check = Checks.http(URI.create(form.getValue()));
        texts.add(check.toString());
        health.register(form.getKey(), check, CheckOptions.of(Probe.READINESS));
        count++;
      }
      int checks = count;
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> health.checkNames().stream().allMatch(n -> health.check(n).orElseThrow().status() == Status.DOWN));

      texts.addAll(bodies("/readyz"));
      texts.addAll(bodies("/healthz"));
      texts.add(endpoints.handle("GET", "/readyz/h2-url", "verbose", null).bodyAsString());
      texts.add(endpoints.handle("GET", "/readyz/oracle", "format=json", null).bodyAsString());
      for (String name : health.checkNames()) {
        texts.add(String.valueOf(health.check(name).orElseThrow()));
      }
      // Evidence that the failures were seen and described, not merely withheld.
      String verbose = endpoints.handle("GET", "/readyz", "verbose", null).bodyAsString();
      assertThat(verbose)
          .contains("[-]pg-query failed: jdbc:postgresql connection failed: java.sql.SQLException: No suitable driver")
          .contains("[-]h2-url failed: jdbc:h2 connection failed: org.h2.jdbc.JdbcSQLInvalidAuthorizationSpecException")
          .contains("[-]userinfo-500 failed: GET http://" + wireMock + "/health answered HTTP 500")
          .contains("[-]token-refused failed: GET http://" + refused + "/health failed: java.net.ConnectException");
      assertThat(err.lines("INFO", "-> DOWN")).hasSizeGreaterThanOrEqualTo(checks);
      texts.addAll(err.lines());
    }
    assertNoSecret(texts);
  }

  @Test
  void waitsNeverShowTheSecret() throws Exception {
    List<String> texts = new ArrayList<>();
    Waits.Builder builder =
        Waits.builder()
            .health(health)
            .initialBackoff(Duration.ofMillis(50))
            .maxBackoff(Duration.ofMillis(200))
            .progressInterval(Duration.ofMillis(300))
            .deadline(Duration.ofMillis(3_000));
    List<DependencyWait> waits = new ArrayList<>();
    for (Map.Entry<String, String[]> form : jdbcForms().entrySet()) {
      String[] f = form.getValue();
      waits.add(Waits.jdbc(f[0], f[1], f[2]).named(form.getKey()));
    }
    for (Map.Entry<String, String> form : httpForms().entrySet()) {
      waits.add(Waits.http(form.getValue()).named(form.getKey()));
    }
    // The unnamed forms describe themselves too.
    waits.add(Waits.jdbc("jdbc:db2://app:" + SECRET + "@db.internal:50000/app", null, null));
    waits.add(Waits.http("http://app:" + SECRET + "@" + refused + "/other?token=" + SECRET));
    for (DependencyWait wait : waits) {
      texts.add(wait.toString());
      texts.add(wait.description());
      texts.add(wait.name());
      builder.add(wait);
    }
    Waits all = builder.build();
    closeables.add(all);
    texts.add(all.toString());

    try (StderrCapture err = new StderrCapture()) {
      CompletableFuture<DependencyWaitException> failure =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  all.await();
                  return null;
                } catch (DependencyWaitException e) {
                  return e;
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              });
      // While waiting, /startupz shows each wait's progress and last error.
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                String body = endpoints.handle("GET", "/startupz", "verbose", null).bodyAsString();
                texts.add(body);
                assertThat(body)
                    .contains("[-]wait-oracle failed: waiting for jdbc:oracle:thin:****@db.internal:1521/app: attempt")
                    .contains("[-]wait-mysql failed: waiting for jdbc:mysql://****@db.internal:3306/app: attempt")
                    .contains("last error: jdbc:h2 connection failed: org.h2.jdbc.JdbcSQLInvalidAuthorizationSpecException")
                    .contains("last error: GET http://" + wireMock + "/health answered HTTP 500")
                    .contains("last error: ConnectException");
              });
      texts.addAll(bodies("/startupz"));
      texts.addAll(bodies("/readyz"));

      DependencyWaitException e = failure.get(10, TimeUnit.SECONDS);
      assertThat(e).isNotNull();
      assertThat(e.unmet()).hasSize(waits.size());
      assertThat(e.getMessage())
          .startsWith("gave up waiting for " + waits.size() + " dependencies")
          .contains("oracle (jdbc:oracle:thin:****@db.internal:1521/app): ")
          .contains("pg-query (jdbc:postgresql://db.internal:5432/app): ")
          .contains("userinfo-refused (GET http://" + refused + "/health): ");
      texts.add(e.getMessage());
      assertThatThrownBy(all::await).satisfies(again -> texts.add(again.getMessage()));

      assertThat(err.lines("INFO", "waiting for " + waits.size() + " dependencies")).hasSize(1);
      assertThat(err.lines("INFO", "still waiting for")).hasSizeGreaterThanOrEqualTo(waits.size());
      // The wait checks' transitions, as the issue saw them print the password.
      assertThat(err.lines("INFO", "check 'wait-oracle'", "-> DOWN: waiting for jdbc:oracle:thin:****@")).hasSize(1);
      texts.addAll(err.lines());
    }
    assertNoSecret(texts);
  }

  @Test
  void userChecksMessagesDetailsAndOverridesAreMaskedToo() throws Exception {
    List<String> texts = new ArrayList<>();
    try (StderrCapture err = new StderrCapture()) {
      health.register(
          "custom",
          () ->
              CheckResult.down("login to jdbc:mysql://app:" + SECRET + "@db/app with password=" + SECRET + " failed")
                  .withDetail("password", SECRET)
                  .withDetail("apiToken", SECRET)
                  .withDetail("url", "https://api/x?access_token=" + SECRET),
          CheckOptions.of(Probe.READINESS));
      health.register(
          "thrower",
          () -> {
            throw new IllegalStateException("Authorization: Bearer " + SECRET + ".x failed");
          },
          CheckOptions.of(Probe.READINESS));
      health.readiness().down("maintenance, token=" + SECRET);
      await().until(() -> health.check("custom").orElseThrow().status() == Status.DOWN
          && health.check("thrower").orElseThrow().status() == Status.DOWN);

      String json = endpoints.handle("GET", "/readyz", "format=json", null).bodyAsString();
      assertThat(json)
          .contains("\"password\":\"****\"", "\"apiToken\":\"****\"", "access_token=****")
          .contains("\"message\":\"login to jdbc:mysql://****@db/app with password=**** failed\"")
          .contains("Bearer ****", "\"override\":\"maintenance, token=****\"");
      texts.add(json);
      texts.addAll(bodies("/readyz"));
      texts.add(String.valueOf(health.snapshot(Probe.READINESS)));
      assertThat(err.lines("INFO", "check 'custom'", "-> DOWN: login to jdbc:mysql://****@db/app")).hasSize(1);
      texts.addAll(err.lines());
    }
    assertNoSecret(texts);
  }

  @Test
  void rejectedArgumentsDoNotEchoTheSecret() {
    List<String> texts = new ArrayList<>();
    assertThatThrownBy(() -> Waits.http("ftp://app:" + SECRET + "@host/x?token=" + SECRET))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> texts.add(e.getMessage()));
    assertThatThrownBy(() -> Checks.http(URI.create("ftp://app:" + SECRET + "@host/x?token=" + SECRET)))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> texts.add(e.getMessage()));
    assertThat(texts).allSatisfy(t -> assertThat(t).contains("ftp://****@host/x?token=****"));
    assertNoSecret(texts);
  }

  /** Verbose and JSON (the whole probe and its every check) with details allowed. */
  private List<String> bodies(String probe) {
    List<String> bodies = new ArrayList<>();
    bodies.add(endpoints.handle("GET", probe, "verbose", null).bodyAsString());
    bodies.add(endpoints.handle("GET", probe, null, "application/json").bodyAsString());
    bodies.add(endpoints.handle("GET", probe, "format=json&verbose", null).bodyAsString());
    return bodies;
  }

  private static void assertNoSecret(List<String> texts) {
    assertThat(texts).isNotEmpty();
    for (String text : texts) {
      assertThat(text).as("leaked in: %s", text).doesNotContain(SECRET).doesNotContain("hunter2");
    }
  }
}

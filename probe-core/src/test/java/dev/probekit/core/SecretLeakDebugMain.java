package dev.probekit.core;

import dev.probekit.core.checks.Checks;
import dev.probekit.core.waits.DependencyWaitException;
import dev.probekit.core.waits.Waits;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Run by {@link SecretLeakAtDebugTest} in a child JVM logging at DEBUG, with no JDBC driver on its
 * class path: checks and waits with a secret in their URLs fail for a second, then the bodies and
 * the exception are printed. Everything the process writes is then searched for the secret.
 */
final class SecretLeakDebugMain {
  private SecretLeakDebugMain() {}

  public static void main(String[] args) throws Exception {
    String secret = SecretLeakAtDebugTest.SECRET;
    try (Socket refusing = new Socket()) {
      refusing.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      String[] jdbc = {
        "jdbc:postgresql://db.internal:5432/app?user=app&password=" + secret,
        "jdbc:mysql://app:" + secret + "@db.internal:3306/app",
        "jdbc:oracle:thin:scott/" + secret + "@db.internal:1521/app",
        "jdbc:sqlserver://db.internal:1433;user=app;password=" + secret,
        "jdbc:h2:tcp://db.internal/mem:app;USER=sa;PASSWORD=" + secret,
      };
      String http =
          "http://app:" + secret + "@127.0.0.1:" + refusing.getLocalPort() + "/x?access_token=" + secret;
      HealthRegistry health = HealthRegistry.builder().defaultInterval(Duration.ofMillis(50)).build();
      // A cold child JVM can take seconds to build its first HttpClient: the bodies wait for it.
      CountDownLatch httpDown = new CountDownLatch(1);
      health.addListener(
          (check, previous, current) -> {
            if (check.equals("http") && current.status() == Status.DOWN) {
              httpDown.countDown();
            }
          });
      Waits.Builder waits =
          Waits.builder()
              .health(health)
              .initialBackoff(Duration.ofMillis(50))
              .maxBackoff(Duration.ofMillis(100))
              .progressInterval(Duration.ofMillis(300))
              .deadline(Duration.ofMillis(1_000));
      for (int i = 0; i < jdbc.length; i++) {
        health.register("jdbc-" + i, Checks.jdbc(jdbc[i], "app", secret), CheckOptions.of(Probe.READINESS));
        waits.add(Waits.jdbc(jdbc[i], "app", secret).named("db-" + i));
      }
      health.register("http", Checks.http(URI.create(http)), CheckOptions.of(Probe.READINESS));
      waits.add(Waits.http(http));
      try (Waits built = waits.build()) {
        built.await();
        System.out.println("unexpected: every dependency was met");
      } catch (DependencyWaitException e) {
        System.out.println("exception: " + e.getMessage());
      }
      if (!httpDown.await(30, TimeUnit.SECONDS)) {
        System.out.println("unexpected: the http check never turned DOWN");
      }
      ProbeEndpoints endpoints = ProbeEndpoints.builder(health).detailsPolicy(DetailsPolicy.always()).build();
      System.out.println(endpoints.handle("GET", "/readyz", "verbose", null).bodyAsString());
      System.out.println(endpoints.handle("GET", "/healthz", "format=json", null).bodyAsString());
      health.close();
    }
  }
}

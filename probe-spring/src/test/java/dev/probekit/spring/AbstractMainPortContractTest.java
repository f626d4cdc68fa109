package dev.probekit.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.lifecycle.Lifecycle;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The HTTP contract and the availability bridge on a real Spring Boot application's main port.
 * Subclasses start one application (servlet or WebFlux) for all of their tests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractMainPortContractTest {

  /** Properties every contract application gets. */
  static final String[] PROPERTIES = {
    "server.port=0",
    "spring.main.banner-mode=off",
    "probekit.default-interval=100ms",
    "probekit.shutdown.pre-stop-delay=0s",
    "probekit.checks.cache.required=false",
    "probekit.checks.db.probes=readiness,startup",
    "probekit.checks.db.interval=200ms",
  };

  ConfigurableApplicationContext context;
  String base;

  @AfterAll
  void closeContext() {
    if (context != null) {
      context.close();
    }
  }

  /**
   * Whether a malformed query reaches Probekit. Reactor Netty's request (a java.net.URI) rejects
   * it first with its own empty 400, which is as good for the contract.
   */
  boolean serverReachesProbeWithMalformedQuery() {
    return true;
  }

  void awaitReady() {
    await().atMost(Duration.ofSeconds(10)).until(() -> Http.get(base, "/readyz").statusCode() == 200);
  }

  @Test
  void livezAnswersOkAsPlainTextWithNoStore() {
    HttpResponse<String> r = Http.get(base, "/livez");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("ok");
    // Tomcat re-renders the header as "text/plain;charset=utf-8": the same media type.
    assertThat(r.headers().firstValue("Content-Type").orElse("").replace(" ", ""))
        .isEqualTo("text/plain;charset=utf-8");
    assertThat(r.headers().firstValue("Cache-Control")).hasValue("no-store");
    assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
  }

  @Test
  void readyzIsUpWhenRequiredChecksAreUpAndOptionalOneIsDown() {
    awaitReady();
    HttpResponse<String> verbose = Http.get(base, "/readyz?verbose");
    assertThat(verbose.statusCode()).isEqualTo(200);
    assertThat(verbose.body())
        .contains("[+]db ok")
        .contains("[+]switch ok")
        .contains("cache")
        .contains("(optional)")
        .contains("readiness check passed");
  }

  @Test
  void failingCheckTurnsReadinessDownWithReasonWithheldAndSpringFollows() {
    awaitReady();
    TestApps.Switch s = context.getBean(TestApps.Switch.class);
    ApplicationAvailability availability = context.getBean(ApplicationAvailability.class);
    s.up.set(false);
    try {
      await().atMost(Duration.ofSeconds(5)).until(() -> Http.get(base, "/readyz").statusCode() == 503);
      HttpResponse<String> r = Http.get(base, "/readyz");
      assertThat(r.body()).isEqualTo("readiness check failed");
      HttpResponse<String> verbose = Http.get(base, "/readyz?verbose");
      assertThat(verbose.statusCode()).isEqualTo(503);
      assertThat(verbose.body()).contains("[-]switch failed: reason withheld").doesNotContain("hunter2");
      await().atMost(Duration.ofSeconds(5))
          .until(() -> availability.getReadinessState() == ReadinessState.REFUSING_TRAFFIC);
      assertThat(Http.get(base, "/livez").statusCode()).isEqualTo(200);
    } finally {
      s.up.set(true);
    }
    awaitReady();
    await().atMost(Duration.ofSeconds(5))
        .until(() -> availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC);
  }

  @Test
  void springRefusingTrafficShowsInReadyzAndAcceptingClearsIt() {
    awaitReady();
    AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
    assertThat(Http.get(base, "/readyz").statusCode()).isEqualTo(503);
    assertThat(Http.get(base, "/livez").statusCode()).isEqualTo(200);
    AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
    assertThat(Http.get(base, "/readyz").statusCode()).isEqualTo(200);
  }

  @Test
  void springAcceptingTrafficNeverClearsAnOperatorsOverride() {
    awaitReady();
    HealthRegistry health = context.getBean(HealthRegistry.class);
    health.readiness().down("maintenance");
    try {
      AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
      assertThat(Http.get(base, "/readyz").statusCode()).isEqualTo(503);
      assertThat(health.readiness().reason()).hasValue("maintenance");
    } finally {
      health.readiness().clear();
    }
    awaitReady();
  }

  @Test
  void springBrokenLivenessShowsInLivez() {
    AvailabilityChangeEvent.publish(context, LivenessState.BROKEN);
    try {
      HttpResponse<String> r = Http.get(base, "/livez");
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(r.body()).isEqualTo("liveness check failed");
    } finally {
      AvailabilityChangeEvent.publish(context, LivenessState.CORRECT);
    }
    assertThat(Http.get(base, "/livez").statusCode()).isEqualTo(200);
  }

  @Test
  void jsonIsServedForAcceptJson() {
    awaitReady();
    HttpResponse<String> r = Http.get(base, "/readyz", "application/json");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    assertThat(r.body()).contains("\"probe\":\"readiness\"").contains("\"name\":\"db\"");
  }

  @Test
  void singleCheckAndUnknownCheck() {
    awaitReady();
    assertThat(Http.get(base, "/readyz/db").statusCode()).isEqualTo(200);
    assertThat(Http.get(base, "/readyz/nope").statusCode()).isEqualTo(404);
  }

  @Test
  void checkPropertiesAddTheDbCheckToStartup() {
    await().atMost(Duration.ofSeconds(5))
        .until(() -> Http.get(base, "/startupz/db").statusCode() == 200);
    assertThat(Http.get(base, "/startupz").statusCode()).isEqualTo(200);
    assertThat(Http.get(base, "/livez/db").statusCode()).isEqualTo(404);
  }

  @Test
  void headHasStatusAndNoBody() {
    HttpResponse<String> r = Http.send(base, "HEAD", "/livez", null, Duration.ofSeconds(5));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEmpty();
  }

  @Test
  void otherMethodsGet405WithAllow() {
    HttpResponse<String> r = Http.send(base, "POST", "/livez", null, Duration.ofSeconds(5));
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("Allow")).hasValue("GET, HEAD");
  }

  @Test
  void malformedQueryIs400WithShortReason() {
    // java.net.URI refuses such a query, so it goes over a raw socket.
    String r = Http.raw(base, "GET /readyz?exclude=%zz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    assertThat(r).startsWith("HTTP/1.1 400").doesNotContain("Exception").doesNotContain("at ");
    if (serverReachesProbeWithMalformedQuery()) {
      assertThat(r).contains("malformed percent-encoding in query");
    }
  }

  @Test
  void applicationRequestsPassThroughAndAreCounted() {
    Lifecycle lifecycle = context.getBean(Lifecycle.class);
    long before = lifecycle.inflight().started();
    HttpResponse<String> r = Http.get(base, "/hello");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("hello");
    assertThat(lifecycle.inflight().started()).isGreaterThan(before);
    await().atMost(Duration.ofSeconds(2)).until(() -> lifecycle.inflight().current() == 0);
    // Probe requests are not application work: they are not counted.
    long afterHello = lifecycle.inflight().started();
    Http.get(base, "/livez");
    assertThat(lifecycle.inflight().started()).isEqualTo(afterHello);
  }
}

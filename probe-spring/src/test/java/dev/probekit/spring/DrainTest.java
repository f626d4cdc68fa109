package dev.probekit.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.lifecycle.DrainPhase;
import dev.probekit.core.lifecycle.Lifecycle;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Closing a servlet (Tomcat) or WebFlux (Reactor Netty) application with slow requests in flight: readiness turns DOWN
 * first while requests are still served, no request is lost, and the shutdown tasks run after
 * the drain and before the application's beans are destroyed.
 */
class DrainTest {

  static final List<String> EVENTS = new CopyOnWriteArrayList<>();

  @RestController
  static class Slow {
    @GetMapping("/slow")
    String slow(@RequestParam long ms) throws InterruptedException {
      Thread.sleep(ms); // the request's own work, not a test wait
      return "slow";
    }
  }

  /** A user bean whose destruction is recorded. */
  static class Pool implements DisposableBean {
    @Override
    public void destroy() {
      EVENTS.add("pool destroyed");
    }
  }

  @Import({Slow.class})
  @org.springframework.boot.SpringBootConfiguration
  @org.springframework.boot.autoconfigure.EnableAutoConfiguration
  static class App {
    // No readiness check on purpose: Spring holds readiness DOWN while starting and releases it
    // once it accepts traffic, which must count as ready, so the pre-stop delay still runs.

    // Jetty is on the test classpath too, and Boot would pick it: this app is the Tomcat one.
    @Bean
    org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory tomcat() {
      return new org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory();
    }

    @Bean
    Pool pool(Lifecycle lifecycle) {
      lifecycle.addShutdownTask(
          "flush", () -> EVENTS.add("task ran, in flight " + lifecycle.inflight().current()));
      return new Pool();
    }
  }

  @RestController
  static class ReactiveSlow {
    @GetMapping("/slow")
    reactor.core.publisher.Mono<String> slow(@RequestParam long ms) {
      return reactor.core.publisher.Mono.delay(Duration.ofMillis(ms)).thenReturn("slow");
    }
  }

  @org.springframework.boot.SpringBootConfiguration
  @org.springframework.boot.autoconfigure.EnableAutoConfiguration
  static class ReactiveApp {
    @Bean
    dev.probekit.core.HealthCheck db() {
      return dev.probekit.core.CheckResult::up;
    }

    @Bean
    ReactiveSlow slowController() {
      return new ReactiveSlow();
    }

    @Bean
    Pool pool(Lifecycle lifecycle) {
      return new App().pool(lifecycle);
    }
  }

  @Test
  void contextCloseWithSlowRequestsInFlightLosesNone() throws Exception {
    closeWithSlowRequests(App.class, WebApplicationType.SERVLET);
  }

  @Test
  void webFluxContextCloseWithSlowRequestsInFlightLosesNone() throws Exception {
    closeWithSlowRequests(ReactiveApp.class, WebApplicationType.REACTIVE);
  }

  private void closeWithSlowRequests(Class<?> app, WebApplicationType type) throws Exception {
    EVENTS.clear();
    ConfigurableApplicationContext context =
        new SpringApplicationBuilder(app)
            .web(type)
            .properties(WebFluxAppTest.NETTY_ONLY)
            .properties(
                "server.port=0",
                "server.shutdown=graceful",
                "spring.lifecycle.timeout-per-shutdown-phase=10s",
                "spring.main.banner-mode=off",
                "probekit.shutdown.pre-stop-delay=1500ms",
                "probekit.default-interval=100ms",
                "probekit.shutdown.drain-timeout=5s",
                "probekit.shutdown.grace-period=20s")
            .run();
    String base =
        "http://127.0.0.1:" + ((WebServerApplicationContext) context).getWebServer().getPort();
    assertThat(((WebServerApplicationContext) context).getWebServer().getClass().getSimpleName())
        .startsWith(type == WebApplicationType.SERVLET ? "Tomcat" : "Netty");
    Lifecycle lifecycle = context.getBean(Lifecycle.class);
    await().atMost(Duration.ofSeconds(10)).until(() -> Http.get(base, "/readyz").statusCode() == 200);

    int n = 8;
    List<CompletableFuture<HttpResponse<String>>> inflight = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      inflight.add(
          CompletableFuture.supplyAsync(
              () -> Http.send(base, "GET", "/slow?ms=3500", null, Duration.ofSeconds(15))));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> lifecycle.inflight().current() == n);

    long t0 = System.nanoTime();
    CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
    // During the pre-stop delay the server still serves, and readiness says 503.
    await().atMost(Duration.ofSeconds(2)).until(() -> Http.get(base, "/readyz").statusCode() == 503);
    HttpResponse<String> live = Http.get(base, "/livez");
    assertThat(live.statusCode()).isEqualTo(200);
    // An application request during the step is served, counted as an arrival, and told to go
    // (Connection: close), and the server closes the keep-alive connection after it: the raw read
    // ends at EOF, not at its 5 s timeout.
    String during = Http.raw(base, "GET /slow?ms=1 HTTP/1.1\r\nHost: localhost\r\n\r\n");
    assertThat(during).startsWith("HTTP/1.1 200").containsIgnoringCase("connection: close").endsWith("slow");

    for (CompletableFuture<HttpResponse<String>> f : inflight) {
      HttpResponse<String> r = f.get();
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("slow");
    }
    closing.get();
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(1500)).isLessThan(Duration.ofSeconds(10));
    assertThat(lifecycle.summary()).isPresent();
    assertThat(lifecycle.summary().get().toString()).isNotEmpty();
    // The requests Boot's graceful shutdown waited for are the ones the summary counts.
    assertThat(lifecycle.summary().get().requestsDrained()).isEqualTo(n);
    // The raw request arrived during the step; the readiness 503s seen above were counted.
    assertThat(lifecycle.summary().get().preStop().orElseThrow().arrivals()).isEqualTo(1);
    assertThat(lifecycle.summary().get().preStop().orElseThrow().readinessDown()).isPositive();
    assertThat(lifecycle.summary().get().requestsAbandoned()).isZero();
    // The pre-stop delay ran in full: Spring's released readiness counts as having been ready.
    assertThat(lifecycle.summary().get().phaseDurations().get(DrainPhase.PRE_STOP_DELAY))
        .isGreaterThanOrEqualTo(Duration.ofMillis(1490));
    // The task ran after every request finished, and before the user's beans were destroyed.
    assertThat(EVENTS).containsExactly("task ran, in flight 0", "pool destroyed");
  }
}

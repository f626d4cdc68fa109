package dev.probekit.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.lifecycle.ParticipantReport;
import dev.probekit.core.lifecycle.ShutdownSummary;
import dev.probekit.core.lifecycle.StreamRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import reactor.core.publisher.Flux;

/**
 * A server-sent events stream held open by a real client ends when the context closes, through
 * {@link ProbekitSseStreams} (Tomcat, Spring MVC) and {@link ProbekitFluxStreams} (WebFlux, Reactor
 * Netty), and the context closes in seconds.
 *
 * <p>Without the helpers Boot's graceful shutdown waits for the open stream until {@code
 * spring.lifecycle.timeout-per-shutdown-phase} (here 20 s) has passed (spring-boot #49275): the
 * response never completes by itself, as an SSE stream is endless. That is not run here, a 20 s
 * test proving nothing of ours.
 */
class StreamsTest {

  /** Spring MVC: an event every 100 ms, sent by the application's own scheduler. */
  @RestController
  static class MvcEvents implements AutoCloseable {
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    private final ProbekitSseStreams streams;

    MvcEvents(ProbekitSseStreams streams) {
      this.streams = streams;
    }

    // tag::mvc[]
    @GetMapping("/events")
    SseEmitter events() {
      SseEmitter emitter = streams.track(new SseEmitter(0L));
      AtomicLong n = new AtomicLong();
      AtomicReference<ScheduledFuture<?>> task = new AtomicReference<>();
      task.set(
          ticker.scheduleAtFixedRate(
              () -> {
                try {
                  emitter.send(SseEmitter.event().data("tick " + n.getAndIncrement()));
                } catch (IOException | IllegalStateException ended) {
                  // Completed by the drain or the client went away: stop sending.
                  task.get().cancel(false);
                }
              },
              0,
              100,
              TimeUnit.MILLISECONDS));
      return emitter;
    }
    // end::mvc[]

    @Override
    public void close() {
      ticker.shutdownNow();
    }
  }

  @Import(MvcEvents.class)
  @org.springframework.boot.SpringBootConfiguration
  @org.springframework.boot.autoconfigure.EnableAutoConfiguration
  static class MvcApp {
    // Jetty is on the test classpath too, and Boot would pick it: this app is the Tomcat one.
    @Bean
    org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory tomcat() {
      return new org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory();
    }
  }

  /** WebFlux: an event every 100 ms. */
  @RestController
  static class FluxEvents {
    private final ProbekitFluxStreams streams;

    FluxEvents(ProbekitFluxStreams streams) {
      this.streams = streams;
    }

    // tag::webflux[]
    @GetMapping(path = "/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<String> events() {
      return streams.untilDrain(
          Flux.interval(Duration.ZERO, Duration.ofMillis(100)).onBackpressureDrop().map(i -> "tick " + i));
    }
    // end::webflux[]
  }

  @Import(FluxEvents.class)
  @org.springframework.boot.SpringBootConfiguration
  @org.springframework.boot.autoconfigure.EnableAutoConfiguration
  static class FluxApp {}

  @Test
  void mvcSseStreamEndsAtDrainStartAndTheContextClosesInSeconds() throws Exception {
    closeWithOpenStream(MvcApp.class, WebApplicationType.SERVLET, "Tomcat");
  }

  @Test
  void webFluxSseStreamEndsAtDrainStartAndTheContextClosesInSeconds() throws Exception {
    closeWithOpenStream(FluxApp.class, WebApplicationType.REACTIVE, "Netty");
  }

  @Test
  void aFluxEndsAtStopAcceptingItsCancelClosesItAndALateSubscriptionIsEmpty() throws Exception {
    StreamRegistry streams = StreamRegistry.of("streams", Duration.ofSeconds(1));
    ProbekitFluxStreams helper = new ProbekitFluxStreams(streams);

    reactor.core.Disposable cancelled = helper.untilDrain(Flux.interval(Duration.ofMillis(10))).subscribe();
    await().atMost(Duration.ofSeconds(5)).until(() -> streams.inFlight() == 1);
    cancelled.dispose(); // the client went away
    assertThat(streams.inFlight()).isZero();
    assertThat(streams.closed()).isEqualTo(1);

    CompletableFuture<List<Object>> endless = helper.untilDrain(Flux.never()).collectList().toFuture();
    await().atMost(Duration.ofSeconds(5)).until(() -> streams.inFlight() == 1);
    streams.stopAccepting();
    assertThat(endless.get(5, TimeUnit.SECONDS)).isEmpty();
    assertThat(streams.awaitIdle(Duration.ofSeconds(1))).isTrue();

    List<Long> late = helper.untilDrain(Flux.interval(Duration.ofMillis(10))).collectList().block(Duration.ofSeconds(5));
    assertThat(late).isEmpty();
    assertThat(streams.inFlight()).isZero();
    assertThat(streams.closed()).isEqualTo(2);
  }

  @Test
  void anEmitterTrackedAfterTheDrainStartedIsCompletedAtOnce() {
    StreamRegistry streams = StreamRegistry.of("streams", Duration.ofSeconds(1));
    streams.stopAccepting();
    SseEmitter emitter = new ProbekitSseStreams(streams).track(new SseEmitter(0L));
    assertThat(streams.inFlight()).isZero();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> emitter.send("late"))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void eachHelperOnlyWithItsStackAndTheRegistryJoinsTheDrainWithItsBudget() {
    org.springframework.boot.test.context.runner.ApplicationContextRunner runner =
        new org.springframework.boot.test.context.runner.ApplicationContextRunner()
            .withConfiguration(
                org.springframework.boot.autoconfigure.AutoConfigurations.of(
                    ProbekitAutoConfiguration.class, ProbekitStreamsAutoConfiguration.class))
            .withPropertyValues("probekit.shutdown.stream-budget=0s");
    runner
        .withClassLoader(new org.springframework.boot.test.context.FilteredClassLoader("org.springframework.web.servlet"))
        .run(
            context -> {
              assertThat(context).hasNotFailed().hasSingleBean(ProbekitFluxStreams.class)
                  .doesNotHaveBean(ProbekitSseStreams.class);
              // Budget 0s: a stream that does not end is abandoned at once, never awaited.
              StreamRegistry streams = context.getBean(StreamRegistry.class);
              streams.open(() -> {});
              Lifecycle lifecycle = context.getBean(Lifecycle.class);
              lifecycle.shutdown();
              ParticipantReport report =
                  lifecycle.summary().orElseThrow().participants().stream()
                      .filter(p -> p.name().equals("streams")).findFirst().orElseThrow();
              assertThat(report.abandoned()).isEqualTo(1);
            });
    runner
        .withClassLoader(new org.springframework.boot.test.context.FilteredClassLoader("reactor.core"))
        .run(
            context -> assertThat(context).hasNotFailed().hasSingleBean(ProbekitSseStreams.class)
                .doesNotHaveBean(ProbekitFluxStreams.class));
    runner
        .withPropertyValues("probekit.shutdown.enabled=false")
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(StreamRegistry.class)
            .doesNotHaveBean(Lifecycle.class));
  }

  private void closeWithOpenStream(Class<?> app, WebApplicationType type, String server) throws Exception {
    ConfigurableApplicationContext context =
        new SpringApplicationBuilder(app)
            .web(type)
            .properties(WebFluxAppTest.NETTY_ONLY)
            .properties(
                "server.port=0",
                "server.shutdown=graceful",
                "spring.lifecycle.timeout-per-shutdown-phase=20s",
                "spring.main.banner-mode=off",
                "probekit.shutdown.pre-stop-delay=0s",
                "probekit.shutdown.drain-timeout=20s",
                "probekit.shutdown.grace-period=30s")
            .run();
    boolean closed = false;
    try {
      assertThat(((WebServerApplicationContext) context).getWebServer().getClass().getSimpleName())
          .startsWith(server);
      String base = "http://127.0.0.1:" + ((WebServerApplicationContext) context).getWebServer().getPort();
      StreamRegistry streams = context.getBean(StreamRegistry.class);
      Lifecycle lifecycle = context.getBean(Lifecycle.class);

      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<Stream<String>> response =
          client.send(
              HttpRequest.newBuilder(URI.create(base + "/events"))
                  .header("Accept", "text/event-stream")
                  .build(),
              HttpResponse.BodyHandlers.ofLines());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
          v -> assertThat(v).startsWith("text/event-stream"));
      List<String> events = new CopyOnWriteArrayList<>();
      AtomicLong endedAt = new AtomicLong();
      CompletableFuture<Void> reading =
          CompletableFuture.runAsync(
              () -> {
                try (Stream<String> lines = response.body()) {
                  lines.filter(l -> l.startsWith("data:")).forEach(events::add);
                } finally {
                  endedAt.set(System.nanoTime());
                }
              });
      await().atMost(Duration.ofSeconds(10)).until(() -> events.size() >= 3);
      assertThat(streams.inFlight()).isEqualTo(1);
      assertThat(reading).isNotDone();

      long t0 = System.nanoTime();
      context.close();
      closed = true;
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      reading.get(5, TimeUnit.SECONDS); // the stream ended: the client read to the end
      Duration streamEnded = Duration.ofNanos(endedAt.get() - t0);
      System.out.printf("%s: stream ended %d ms, context closed %d ms after close began, %d events%n",
          server, streamEnded.toMillis(), took.toMillis(), events.size());

      assertThat(took).isLessThan(Duration.ofSeconds(5));
      assertThat(streamEnded).isLessThan(Duration.ofSeconds(5));
      assertThat(events.get(0)).isEqualTo("data:tick 0");
      ShutdownSummary summary = lifecycle.summary().orElseThrow();
      ParticipantReport report =
          summary.participants().stream().filter(p -> p.name().equals("streams")).findFirst().orElseThrow();
      assertThat(report.drained()).as(summary.toString()).isEqualTo(1);
      assertThat(report.abandoned()).as(summary.toString()).isZero();
      assertThat(report.toString()).contains("streams drained=1 abandoned=0");
      assertThat(streams.inFlight()).isZero();
    } finally {
      if (!closed) {
        context.close();
      }
    }
  }
}

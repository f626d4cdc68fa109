package dev.probekit.benchmarks.http;

import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthCheck;
import dev.probekit.core.server.ProbeServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Probekit beside Spring Boot Actuator in one Spring Boot 4.1 application on Tomcat, measured in
 * the same run: readiness throughput on an idle application, then probe latency while every
 * Tomcat worker is busy with slow application requests, on the three places a probe can be
 * served: Probekit on the main port, Actuator on the management port ({@code
 * management.server.port}, a Tomcat of its own) and Probekit on its probe port. Both sides have
 * the same two checks (one fast, one taking 5 ms); Actuator runs them on each request, Probekit in
 * the background.
 *
 * <p>Run: {@code benchmarks/run-spring.sh} (builds, then {@code java ... SpringBench --seconds 3
 * --overload-seconds 6 --workers 8 --slow-ms 200 --markdown benchmarks/target/results-spring.md}).
 */
public final class SpringBench {

  /** Bounds each run's latency arrays (the load generator preallocates them). */
  private static final long MAX_REQUESTS = 1_000_000;

  private SpringBench() {}

  @RestController
  static class Slow {
    @GetMapping("/slow")
    String slow(@RequestParam(defaultValue = "200") long ms) {
      LockSupport.parkNanos(Duration.ofMillis(ms).toNanos()); // the application's own slow work
      return "slow";
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @Bean
    Slow slowController() {
      return new Slow();
    }

    @Bean
    HealthCheck fast() {
      return CheckResult::up;
    }

    @Bean
    HealthCheck slow5ms() {
      return () -> {
        LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        return CheckResult.up();
      };
    }

    @Bean
    HealthIndicator fastHealthIndicator() {
      return () -> Health.up().build();
    }

    @Bean
    HealthIndicator slowHealthIndicator() {
      return () -> {
        LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        return Health.up().build();
      };
    }
  }

  /** Remembers the management server's port, announced by its own child context. */
  static final class ManagementPort implements ApplicationListener<WebServerInitializedEvent> {
    volatile int port = -1;

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
      if ("management".equals(event.getApplicationContext().getServerNamespace())) {
        port = event.getWebServer().getPort();
      }
    }
  }

  /**
   * Runs the comparison and prints a Markdown table.
   *
   * @param args {@code --seconds}, {@code --overload-seconds}, {@code --workers}, {@code --slow-ms},
   *     {@code --markdown <file>}
   */
  public static void main(String[] args) throws Exception {
    double seconds = 3;
    double overloadSeconds = 6;
    int workers = 8;
    int slowMs = 200;
    Path markdown = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--seconds" -> seconds = Double.parseDouble(args[++i]);
        case "--overload-seconds" -> overloadSeconds = Double.parseDouble(args[++i]);
        case "--workers" -> workers = Integer.parseInt(args[++i]);
        case "--slow-ms" -> slowMs = Integer.parseInt(args[++i]);
        case "--markdown" -> markdown = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
      }
    }
    ManagementPort management = new ManagementPort();
    ConfigurableApplicationContext context =
        new SpringApplicationBuilder(App.class)
            .listeners(management)
            .properties(
                "spring.main.banner-mode=off",
                "server.port=0",
                "server.address=127.0.0.1",
                "server.tomcat.threads.max=" + workers,
                "server.tomcat.threads.min-spare=" + workers,
                "management.server.port=0",
                "management.server.address=127.0.0.1",
                "management.endpoints.web.exposure.include=health",
                "management.endpoint.health.probes.enabled=true",
                "management.endpoint.health.group.readiness.include=readinessState,fast,slow",
                "probekit.server.port=0",
                "probekit.server.address=127.0.0.1",
                "probekit.serve-on-main-port=true",
                "probekit.shutdown.pre-stop-delay=0s")
            .run();
    try {
      InetSocketAddress main = new InetSocketAddress(
          "127.0.0.1", ((WebServerApplicationContext) context).getWebServer().getPort());
      InetSocketAddress mgmt = new InetSocketAddress("127.0.0.1", management.port);
      InetSocketAddress probe =
          new InetSocketAddress("127.0.0.1", context.getBean(ProbeServer.class).port());
      String actuatorPath = "/actuator/health/readiness";
      awaitUp(main, "/readyz");
      awaitUp(mgmt, actuatorPath);
      awaitUp(probe, "/readyz");

      Duration run = Duration.ofMillis((long) (seconds * 1000));
      // Warm-up, then the measured runs, alternating so drift hits all three alike.
      for (int round = 0; round < 2; round++) {
        LoadGenerator.closedLoop("warm", main, "/readyz", 4, run.dividedBy(3), MAX_REQUESTS);
        LoadGenerator.closedLoop("warm", mgmt, actuatorPath, 4, run.dividedBy(3), MAX_REQUESTS);
        LoadGenerator.closedLoop("warm", probe, "/readyz", 4, run.dividedBy(3), MAX_REQUESTS);
      }
      LoadResult idleMain =
          LoadGenerator.closedLoop("main", main, "/readyz", 4, run, MAX_REQUESTS);
      LoadResult idleMgmt =
          LoadGenerator.closedLoop("mgmt", mgmt, actuatorPath, 4, run, MAX_REQUESTS);
      LoadResult idleProbe =
          LoadGenerator.closedLoop("probe", probe, "/readyz", 4, run, MAX_REQUESTS);

      // Saturate: twice as many clients as workers, each looping on a slow request.
      Duration overload = Duration.ofMillis((long) (overloadSeconds * 1000));
      String slowPath = "/slow?ms=" + slowMs;
      int clients = workers * 2;
      CompletableFuture<LoadResult> saturation = CompletableFuture.supplyAsync(() -> {
        try {
          return LoadGenerator.closedLoop(
              "slow", main, slowPath, clients, overload.plusSeconds(2), MAX_REQUESTS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      });
      LoadGenerator.pause(Duration.ofMillis(500));
      Duration interval = Duration.ofMillis(100);
      int max = (int) (overload.toMillis() / interval.toMillis()) + 1;
      CompletableFuture<LoadResult> busyMain = CompletableFuture.supplyAsync(
          () -> LoadGenerator.paced("main", main, "/readyz", interval, overload, max));
      CompletableFuture<LoadResult> busyMgmt = CompletableFuture.supplyAsync(
          () -> LoadGenerator.paced("mgmt", mgmt, actuatorPath, interval, overload, max));
      CompletableFuture<LoadResult> busyProbe = CompletableFuture.supplyAsync(
          () -> LoadGenerator.paced("probe", probe, "/readyz", interval, overload, max));
      LoadResult slowLoad = saturation.get();

      StringBuilder md = new StringBuilder();
      md.append(String.format(Locale.ROOT,
          "Spring Boot 4.1 on Tomcat, %d workers; readiness with 2 checks (one fast, one 5 ms);"
              + " idle: 4 keep-alive connections for %.1f s each; saturated: %d clients looping on"
              + " %d ms requests (%.0f req/s served), a kubelet-style probe every 100 ms on a new"
              + " connection for %.1f s.%n%n",
          workers, seconds, clients, slowMs, slowLoad.throughput(), overloadSeconds));
      md.append("| where the probe is served | readiness req/s (idle) | probe p50 saturated | probe p99 saturated | probes over 1 s |\n");
      md.append("|---|---:|---:|---:|---:|\n");
      row(md, "Probekit `/readyz`, main port", idleMain, busyMain.get());
      row(md, "Actuator `/actuator/health/readiness`, management port", idleMgmt, busyMgmt.get());
      row(md, "Probekit `/readyz`, probe port (`probekit.server.port`)", idleProbe, busyProbe.get());
      System.out.println(md);
      if (markdown != null) {
        Files.createDirectories(markdown.toAbsolutePath().getParent());
        Files.writeString(markdown, md.toString());
      }
    } finally {
      context.close();
    }
  }

  private static void row(StringBuilder md, String name, LoadResult idle, LoadResult busy) {
    md.append(String.format(Locale.ROOT, "| %s | %,.0f | %.1f ms | %.1f ms | %d of %d |%n",
        name, idle.throughput(), busy.percentileMicros(50) / 1000, busy.percentileMicros(99) / 1000,
        over(busy, 1_000_000), busy.samples()));
  }

  /** How many samples took longer than {@code micros} (nearest-rank scan of percentiles). */
  private static int over(LoadResult r, double micros) {
    int n = r.samples();
    int count = 0;
    for (int i = 1; i <= n; i++) {
      if (r.percentileMicros(100.0 * i / n) > micros) {
        count++;
      }
    }
    return count;
  }

  private static void awaitUp(InetSocketAddress address, String path) throws IOException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    AtomicInteger last = new AtomicInteger();
    while (System.nanoTime() - deadline < 0) {
      try (HttpClientConnection c = new HttpClientConnection(address, path, false)) {
        last.set(c.get());
        if (last.get() == 200) {
          return;
        }
      } catch (IOException e) {
        last.set(-1);
      }
      LoadGenerator.pause(Duration.ofMillis(100));
    }
    throw new IOException(address + path + " not ready: " + last.get());
  }
}

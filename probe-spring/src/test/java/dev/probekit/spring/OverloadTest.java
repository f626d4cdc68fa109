package dev.probekit.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.server.ProbeServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Tomcat application with 4 worker threads, all held busy for seconds: every probe on the
 * separate probe port is answered, fast; every probe on the main port times out, because the
 * servlet container answers a filter or servlet only on a worker thread. The second half is
 * asserted as a documented fact (docs/spring-boot.md), not a wish.
 */
class OverloadTest {

  /** Held by the test: the application's own work, blocking its worker. */
  static final class Gate {
    final CountDownLatch open = new CountDownLatch(1);
  }

  @RestController
  static class Busy {
    private final Gate gate;

    Busy(Gate gate) {
      this.gate = gate;
    }

    @GetMapping("/busy")
    String busy() throws InterruptedException {
      gate.open.await(30, TimeUnit.SECONDS);
      return "done";
    }
  }

  @Import({TestApps.Checks.class, Busy.class})
  static class App {
    @Bean
    Gate gate() {
      return new Gate();
    }

    @Bean
    org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory tomcat() {
      return new org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory();
    }
  }

  @Test
  void withEveryWorkerBusyTheProbePortLosesNoProbeAndTheMainPortLosesThemAll() throws Exception {
    int workers = 4;
    try (ConfigurableApplicationContext context =
        PathsTest.start(
            App.class,
            WebApplicationType.SERVLET,
            "server.tomcat.threads.max=" + workers,
            "server.tomcat.threads.min-spare=" + workers,
            "probekit.server.port=0",
            "probekit.server.address=127.0.0.1",
            "probekit.serve-on-main-port=true",
            "probekit.shutdown.pre-stop-delay=0s")) {
      String main = PathsTest.base(context);
      String probes = "http://127.0.0.1:" + context.getBean(ProbeServer.class).port();
      await().atMost(Duration.ofSeconds(15)).until(() -> Http.get(main, "/readyz").statusCode() == 200);
      Gate gate = context.getBean(Gate.class);
      Lifecycle lifecycle = context.getBean(Lifecycle.class);

      List<CompletableFuture<HttpResponse<String>>> busy = new ArrayList<>();
      for (int i = 0; i < workers * 2; i++) {
        busy.add(CompletableFuture.supplyAsync(
            () -> Http.send(main, "GET", "/busy", null, Duration.ofSeconds(40))));
      }
      try {
        await().atMost(Duration.ofSeconds(10)).until(() -> lifecycle.inflight().current() >= workers);

        // Kubelet-style: a probe every 100 ms for 3 s on each port, 1 s timeout (the kubelet's).
        int sent = 30;
        int probePortAnswered = 0;
        long probePortWorstMillis = 0;
        int mainPortAnswered = 0;
        List<CompletableFuture<Boolean>> mainProbes = new ArrayList<>();
        for (int i = 0; i < sent; i++) {
          long t0 = System.nanoTime();
          HttpResponse<String> r = Http.send(probes, "GET", "/livez", null, Duration.ofSeconds(1));
          probePortWorstMillis = Math.max(probePortWorstMillis, (System.nanoTime() - t0) / 1_000_000);
          if (r.statusCode() == 200 && r.body().equals("ok")) {
            probePortAnswered++;
          }
          mainProbes.add(CompletableFuture.supplyAsync(() -> {
            try {
              return Http.send(main, "GET", "/livez", null, Duration.ofSeconds(1)).statusCode() == 200;
            } catch (RuntimeException timedOut) {
              return false;
            }
          }));
          // Pacing of a periodic prober, not a wait for a condition.
          TimeUnit.MILLISECONDS.sleep(100);
        }
        for (CompletableFuture<Boolean> f : mainProbes) {
          if (f.get(10, TimeUnit.SECONDS)) {
            mainPortAnswered++;
          }
        }
        assertThat(probePortAnswered).isEqualTo(sent);
        assertThat(probePortWorstMillis).isLessThan(1000);
        assertThat(mainPortAnswered).as("main-port probes answered within 1 s").isZero();
      } finally {
        gate.open.countDown();
      }
      for (CompletableFuture<HttpResponse<String>> f : busy) {
        assertThat(f.get(40, TimeUnit.SECONDS).body()).isEqualTo("done");
      }
      // Once the workers are free, the main port answers again.
      assertThat(Http.get(main, "/livez").statusCode()).isEqualTo(200);
    }
  }
}

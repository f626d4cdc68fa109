package dev.probekit.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.server.ProbeServer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * The built-in probe server on its own port answers while a slow bean is still being created:
 * /livez UP, /startupz and /readyz DOWN; then UP once the application is ready.
 */
class SeparatePortTest {

  /** Hands the probe port from the application's start-up thread to the test. */
  static final class Handoff {
    final CompletableFuture<Integer> port = new CompletableFuture<>();
    final CompletableFuture<Boolean> serverExistedBeforeSlowBean = new CompletableFuture<>();
    final CountDownLatch release = new CountDownLatch(1);
  }

  /** A bean whose creation takes as long as the test says, like a database migration. */
  static final class SlowStartup {
    SlowStartup(Handoff handoff, ConfigurableListableBeanFactory beans) throws InterruptedException {
      handoff.serverExistedBeforeSlowBean.complete(
          beans.containsSingleton(ProbekitAutoConfiguration.PROBE_SERVER_BEAN));
      handoff.port.complete(beans.getBean(ProbeServer.class).port());
      handoff.release.await(20, TimeUnit.SECONDS);
    }
  }

  @Import(TestApps.Checks.class)
  static class App {
    @Bean
    SlowStartup slowStartup(Handoff handoff, ConfigurableListableBeanFactory beans)
        throws InterruptedException {
      return new SlowStartup(handoff, beans);
    }
  }

  @Test
  void probeServerAnswersDuringSlowStartUpThenTurnsReady() throws Exception {
    Handoff handoff = new Handoff();
    CompletableFuture<ConfigurableApplicationContext> app =
        CompletableFuture.supplyAsync(
            () ->
                new SpringApplicationBuilder(App.class)
                    .web(WebApplicationType.NONE)
                    .initializers(ctx -> ctx.getBeanFactory().registerSingleton("handoff", handoff))
                    .properties(
                        "spring.main.banner-mode=off",
                        "probekit.server.port=0",
                        "probekit.server.address=127.0.0.1",
                        "probekit.default-interval=100ms",
                        "probekit.shutdown.pre-stop-delay=0s",
                        "probekit.checks.cache.required=false")
                    .run());
    try {
      int port = handoff.port.get(20, TimeUnit.SECONDS);
      assertThat(handoff.serverExistedBeforeSlowBean.get()).isTrue();
      String base = "http://127.0.0.1:" + port;
      assertThat(Http.get(base, "/livez").statusCode()).isEqualTo(200);
      assertThat(Http.get(base, "/startupz").statusCode()).isEqualTo(503);
      assertThat(Http.get(base, "/readyz").statusCode()).isEqualTo(503);
      assertThat(Http.get(base, "/startupz?verbose").body()).contains("[-]override failed");
      handoff.release.countDown();
      ConfigurableApplicationContext context = app.get(30, TimeUnit.SECONDS);
      try {
        await().atMost(Duration.ofSeconds(10))
            .until(() -> Http.get(base, "/startupz").statusCode() == 200);
        await().atMost(Duration.ofSeconds(10))
            .until(() -> Http.get(base, "/readyz").statusCode() == 200);
      } finally {
        context.close();
      }
    } finally {
      handoff.release.countDown();
    }
  }
}

package dev.probekit.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.lifecycle.DrainPhase;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.lifecycle.ParticipantReport;
import dev.probekit.core.lifecycle.ShutdownSummary;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * The application's ThreadPoolTaskExecutor / ThreadPoolTaskScheduler beans join the drain: they
 * still accept tasks after the context-closed event, stop at the drain phase, and their queued and
 * running tasks finish before the beans are destroyed; an excluded bean stays out.
 */
class TaskDrainTest {

  @org.springframework.boot.SpringBootConfiguration
  @org.springframework.boot.autoconfigure.EnableAutoConfiguration
  static class App {
    @Bean
    ThreadPoolTaskExecutor mailExecutor() {
      ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
      executor.setCorePoolSize(1);
      executor.setMaxPoolSize(1);
      return executor;
    }

    @Bean
    ThreadPoolTaskExecutor reportExecutor() {
      return new ThreadPoolTaskExecutor();
    }

    @Bean
    ThreadPoolTaskScheduler ticker() {
      return new ThreadPoolTaskScheduler();
    }
  }

  @Test
  void executorAndSchedulerBeansDrainAtTheDrainPhaseAndAnExcludedBeanStaysOut() throws Exception {
    ConfigurableApplicationContext context =
        new SpringApplicationBuilder(App.class)
            .web(WebApplicationType.NONE)
            .properties(
                "probekit.shutdown.pre-stop-delay=0s",
                "probekit.shutdown.drain-exclude=reportExecutor")
            .run();
    Lifecycle lifecycle = context.getBean(Lifecycle.class);
    ThreadPoolTaskExecutor mail = context.getBean("mailExecutor", ThreadPoolTaskExecutor.class);
    ThreadPoolTaskScheduler ticker = context.getBean("ticker", ThreadPoolTaskScheduler.class);
    CountDownLatch gate = new CountDownLatch(1);
    AtomicInteger ran = new AtomicInteger();
    AtomicInteger ticks = new AtomicInteger();
    mail.execute(
        () -> {
          try {
            gate.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          ran.incrementAndGet();
        });
    for (int i = 0; i < 3; i++) {
      mail.execute(ran::incrementAndGet);
    }
    ticker.scheduleAtFixedRate(ticks::incrementAndGet, Duration.ofMillis(10));
    await().atMost(Duration.ofSeconds(20)).until(() -> ticks.get() > 0);

    CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
    await().atMost(Duration.ofSeconds(20)).until(() -> mail.getThreadPoolExecutor().isShutdown());
    assertThat(lifecycle.lastCompletedPhase()).contains(DrainPhase.STOP_ACCEPTING);
    assertThat(closing).isNotDone();
    gate.countDown();
    closing.get(20, TimeUnit.SECONDS);

    ShutdownSummary summary = lifecycle.summary().orElseThrow();
    List<String> names = summary.participants().stream().map(ParticipantReport::name).collect(Collectors.toList());
    assertThat(names).contains("http", "mailExecutor", "ticker").doesNotContain("reportExecutor");
    ParticipantReport mailReport =
        summary.participants().stream().filter(p -> p.name().equals("mailExecutor")).findFirst().orElseThrow();
    assertThat(mailReport.drained()).isEqualTo(4);
    assertThat(mailReport.abandoned()).isZero();
    assertThat(ran).hasValue(4);
    assertThat(summary.isClean()).as(summary.toString()).isTrue();
  }
}

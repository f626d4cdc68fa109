package dev.probekit.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The long-poll decisions in core: Prefer parsing, If-None-Match matching, when to wait. */
class ProbeWatchTest {
  private final HealthRegistry health = HealthRegistry.builder().build();
  private final ProbeEndpoints endpoints = ProbeEndpoints.of(health);

  @AfterEach
  void close() {
    health.close();
  }

  @Test
  void preferWaitIsParsedAmongOtherPreferencesAndCappedAt60Seconds() {
    assertThat(ProbeWatch.requestedWaitNanos("wait=10")).isEqualTo(TimeUnit.SECONDS.toNanos(10));
    assertThat(ProbeWatch.requestedWaitNanos("respond-async, wait=5")).isEqualTo(TimeUnit.SECONDS.toNanos(5));
    assertThat(ProbeWatch.requestedWaitNanos("WAIT = \"7\"; x=y")).isEqualTo(TimeUnit.SECONDS.toNanos(7));
    assertThat(ProbeWatch.requestedWaitNanos("return=minimal;wait=3")).isEqualTo(TimeUnit.SECONDS.toNanos(3));
    assertThat(ProbeWatch.requestedWaitNanos("wait=600")).isEqualTo(TimeUnit.SECONDS.toNanos(60));
    assertThat(ProbeWatch.requestedWaitNanos("wait=99999999999999999999999"))
        .as("no overflow").isEqualTo(TimeUnit.SECONDS.toNanos(60));
    for (String none : new String[] {null, "", "wait", "wait=", "wait=-1", "wait=1.5", "wait=x",
        "waiting=5", "wait=0", "respond-async", ",,,;;;"}) {
      assertThat(ProbeWatch.requestedWaitNanos(none)).as(String.valueOf(none)).isZero();
    }
  }

  @Test
  void ifNoneMatchComparesWeaklyAndAcceptsListsAndStar() {
    assertThat(ETags.matches("\"up\"", ETags.UP)).isTrue();
    assertThat(ETags.matches("W/\"up\"", ETags.UP)).isTrue();
    assertThat(ETags.matches("\"up\"", ETags.WEAK_UP)).isTrue();
    assertThat(ETags.matches("\"a,b\", \"up\"", ETags.UP)).isTrue();
    assertThat(ETags.matches("*", ETags.DOWN)).isTrue();
    assertThat(ETags.matches("\"down\"", ETags.UP)).isFalse();
    assertThat(ETags.matches("\"upx\"", ETags.UP)).isFalse();
    assertThat(ETags.matches("up", ETags.UP)).isFalse();
    assertThat(ETags.matches("\"up", ETags.UP)).isFalse();
    assertThat(ETags.matches("", ETags.UP)).isFalse();
    assertThat(ETags.matches(null, ETags.UP)).isFalse();
  }

  @Test
  void waitsOnlyWithAMatchingTagAndAPositiveWait() {
    assertThat(endpoints.watch(request("/readyz", "\"up\"", "wait=5"))).isNotNull();
    assertThat(endpoints.watch(request("/readyz", "\"up\"", "wait=5")).timeout()).hasSeconds(5);
    assertThat(endpoints.watch(request("/readyz", "\"up\"", null))).as("no Prefer").isNull();
    assertThat(endpoints.watch(request("/readyz", null, "wait=5"))).as("no tag").isNull();
    assertThat(endpoints.watch(request("/readyz", "\"down\"", "wait=5"))).as("stale tag").isNull();
    assertThat(endpoints.watch(request("/nope", "*", "wait=5"))).as("404").isNull();
    assertThat(endpoints.watch(request("/readyz/nope", "*", "wait=5"))).as("404").isNull();

    // Without Prefer, a match is a 304 at once; with one, handle() (for adapters that cannot
    // wait) answers the same.
    assertThat(endpoints.handle(request("/readyz", "\"up\"", null)).status()).isEqualTo(304);
    assertThat(endpoints.handle(request("/readyz", "\"up\"", "wait=5")).status()).isEqualTo(304);
    assertThat(endpoints.handle(request("/readyz", "\"up\"", null)).bodyLength()).isZero();
  }

  @Test
  void pollAnswersOnlyOnceTheStatusChangesOrWhenReleased() {
    ProbeWatch watch = endpoints.watch(request("/readyz", "\"up\"", "wait=30"));
    assertThat(watch.poll(false)).isNull();
    ProbeResponse released = watch.poll(true);
    assertThat(released.status()).isEqualTo(304);
    assertThat(released.headers()).contains(java.util.Map.entry("ETag", "\"up\""));

    health.readiness().down("maintenance");
    ProbeResponse changed = watch.poll(false);
    assertThat(changed.status()).isEqualTo(503);
    assertThat(changed.bodyAsString()).isEqualTo("readiness check failed");
    assertThat(changed.headers()).contains(java.util.Map.entry("ETag", "\"down\""));
  }

  @Test
  void plainAnswersAndTheir304sAllocateNothing() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    ProbeRequest plain = request("/readyz", null, null);
    ProbeRequest conditional = request("/readyz", "\"up\"", null);
    for (int i = 0; i < 20_000; i++) {
      endpoints.handle(plain);
      endpoints.handle(conditional);
    }
    long before = threads.getCurrentThreadAllocatedBytes();
    int statuses = 0;
    for (int i = 0; i < 10_000; i++) {
      statuses += endpoints.handle(plain).status() + endpoints.handle(conditional).status();
    }
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertThat(statuses).isEqualTo(10_000 * (200 + 304));
    // 20,000 answers: a stray allocation per answer would be >= 320 KB.
    assertThat(allocated).as("bytes allocated by 20,000 answers").isLessThan(16_000);
  }

  private static ProbeRequest request(String path, String ifNoneMatch, String prefer) {
    return new ProbeRequest() {
      @Override
      public String method() {
        return "GET";
      }

      @Override
      public String rawPath() {
        return path;
      }

      @Override
      public String rawQuery() {
        return null;
      }

      @Override
      public String header(String name) {
        if ("If-None-Match".equalsIgnoreCase(name)) {
          return ifNoneMatch;
        }
        return "Prefer".equalsIgnoreCase(name) ? prefer : null;
      }
    };
  }
}

package dev.probekit.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a buffer leak while it ran. Before the class: asserts that
 * leak detection is PARANOID and recording. After it: forces a garbage collection, waits until a
 * sentinel collected in it has been enqueued (so leaked buffers of the same collection are too),
 * allocates buffers so Netty's detector polls its queue and reports, then asserts no leak was
 * recorded.
 */
final class LeakCheck implements BeforeAllCallback, AfterAllCallback {

  @Override
  public void beforeAll(ExtensionContext context) {
    // Allocating a buffer makes Netty create its ByteBuf detector, which must be ours.
    ByteBufAllocator.DEFAULT.buffer(1).release();
    assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
    assertThat(RecordingLeakDetector.installed())
        .as("RecordingLeakDetector installed via -Dio.netty.customResourceLeakDetector")
        .isTrue();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    List<String> leaks = collectLeaks();
    assertThat(leaks).as("Netty leak reports").isEmpty();
  }

  /** Makes Netty report every buffer that became unreachable unreleased, and returns the reports. */
  static List<String> collectLeaks() {
    for (int round = 0; round < 2; round++) {
      ReferenceQueue<Object> queue = new ReferenceQueue<>();
      WeakReference<Object> sentinel = new WeakReference<>(new Object(), queue);
      Awaitility.await("a garbage collection")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(20))
          .until(
              () -> {
                System.gc();
                return queue.poll() != null;
              });
      assertThat(sentinel.get()).isNull();
      // With PARANOID, every allocation polls the detector's queue and reports what it finds.
      for (int i = 0; i < 64; i++) {
        PooledByteBufAllocator.DEFAULT.buffer(8).release();
        PooledByteBufAllocator.DEFAULT.heapBuffer(8).release();
        UnpooledByteBufAllocator.DEFAULT.buffer(8).release();
      }
    }
    return RecordingLeakDetector.drain();
  }
}

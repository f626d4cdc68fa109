package dev.probekit.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Proves that the leak check used by every test class can fail. */
@ExtendWith(LeakCheck.class)
class LeakCheckTest {

  @Test
  void reportsABufferThatWasNeverReleased() {
    leakOneBuffer();

    List<String> leaks = LeakCheck.collectLeaks();

    assertThat(leaks).anySatisfy(leak -> assertThat(leak).contains("LEAK: ByteBuf"));
  }

  @Test
  void reportsNothingWhenEveryBufferIsReleased() {
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer(16);
    buf.writeLong(42);
    buf.release();

    assertThat(LeakCheck.collectLeaks()).isEmpty();
  }

  private static void leakOneBuffer() {
    ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(32);
    buf.writeInt(7);
    // deliberately not released
  }
}

package dev.probekit.grpc;

import static dev.probekit.grpc.GrpcFixtures.kubeletProbe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.probekit.testsupport.ChildProcess;
import dev.probekit.testsupport.ForkedJvm;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The strong form of the hostile-client test: the probe server in a child JVM with a 64 MiB heap
 * (and as much direct memory), readiness flapping 1,000 times a second, 1,000
 * watchers that never read and 300 idle TCP connections. For 10 s the kubelet's probes keep
 * passing inside their 1 s deadline, and the child neither dies nor runs out of memory.
 */
class HostileChildJvmTest {
  private static final Pattern PORT = Pattern.compile("port=(\\d+)");
  private static final Pattern HEAP = Pattern.compile("heap=(\\d+) watchers=(\\d+)");

  @Test
  void smallHeapSurvivesWatchersThatNeverReadAndIdleConnections() throws Exception {
    List<String> command =
        ForkedJvm.command(
            ForkedJvm.testClasspath(),
            List.of(
                "-Xmx64m",
                "-XX:MaxDirectMemorySize=64m",
                "-XX:+UseSerialGC",
                "-XX:+ExitOnOutOfMemoryError",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"),
            ProbeChild.class);
    List<ManagedChannel> channels = new ArrayList<>();
    List<Socket> sockets = new ArrayList<>();
    try (ChildProcess child = ChildProcess.start("probe-child-", command)) {
      int[] port = {-1};
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                assertThat(child.process().isAlive()).as("child alive:\n" + child.output()).isTrue();
                Matcher m = PORT.matcher(child.output());
                if (m.find()) {
                  port[0] = Integer.parseInt(m.group(1));
                }
                return port[0] > 0;
              });
      // Warm this JVM's client outside the kubelet's deadline.
      ManagedChannel warm = GrpcFixtures.channel(port[0]);
      channels.add(warm);
      GrpcFixtures.check(warm, "liveness");

      List<WatchRecorder> stuck = new ArrayList<>();
      for (int c = 0; c < 20; c++) {
        ManagedChannel channel =
            NettyChannelBuilder.forAddress("127.0.0.1", port[0]).usePlaintext().flowControlWindow(64).build();
        channels.add(channel);
        for (int i = 0; i < 50; i++) {
          stuck.add(WatchRecorder.watchWithoutReading(channel, i % 2 == 0 ? "readiness" : ""));
        }
      }
      InetAddress loopback = InetAddress.getLoopbackAddress();
      for (int i = 0; i < 300; i++) {
        Socket s = new Socket(loopback, port[0]);
        sockets.add(s);
        if (i % 2 == 0) {
          s.getOutputStream().write("PRI * HTTP/2.0\r\n".getBytes(StandardCharsets.US_ASCII));
        }
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> last(child, 2) == 1_000);

      long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      int probes = 0;
      while (System.nanoTime() < end) {
        assertThat(child.process().isAlive()).as("child alive:\n" + child.tail(2_000)).isTrue();
        assertThat(kubeletProbe(port[0], "liveness")).as("liveness probe %d; child:\n%s", probes, child.tail(2_000)).isTrue();
        probes++;
      }
      assertThat(probes).isGreaterThan(10);
      String out = child.output();
      assertThat(out).doesNotContain("OutOfMemoryError");
      long heap = last(child, 1);
      System.out.printf("probes %d, child heap after GC %d KiB with 1,000 stuck watchers%n", probes, heap / 1024);
      assertThat(heap).isLessThan(40L * 1024 * 1024);
      assertThat(child.process().isAlive()).isTrue();
    } finally {
      for (ManagedChannel c : channels) {
        c.shutdownNow();
      }
      for (Socket s : sockets) {
        closeQuietly(s);
      }
    }
  }

  /** The last value of {@code group} (1 heap, 2 watchers) the child printed, or -1. */
  private static long last(ChildProcess child, int group) {
    Matcher m = HEAP.matcher(child.output());
    long n = -1;
    while (m.find()) {
      n = Long.parseLong(m.group(group));
    }
    return n;
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // The test is over; a socket that fails to close changes nothing.
    }
  }
}

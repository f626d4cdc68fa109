package dev.probekit.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.testkit.RawSockets;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Clients that try to starve the probes, on real Netty servers over raw sockets: slow request
 * heads, idle connections, too many connections, and pipelining without reading the answers.
 */
@ExtendWith(LeakCheck.class)
class HostilePeerTest {
  private static final byte[] LIVEZ =
      "GET /livez HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private static final byte[] APP =
      "GET /app HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private final HealthRegistry health = HealthRegistry.builder().build();
  private final RawSockets sockets = new RawSockets();

  @AfterEach
  void stop() throws IOException {
    sockets.close();
    health.close();
  }

  private NettyProbeServer.Builder server() {
    return NettyProbeServer.builder(ProbeEndpoints.of(health))
        .port(0)
        .bindAddress(InetAddress.getLoopbackAddress());
  }

  private Socket connect(int port) throws IOException {
    return sockets.open(port);
  }

  private static boolean closedByPeer(Socket socket) {
    try {
      return socket.getInputStream().read() == -1;
    } catch (IOException e) {
      return true; // reset
    }
  }

  @Test
  void closesAConnectionWhoseRequestHeadIsNotCompleteWithinTheDeadline() throws Exception {
    try (NettyProbeServer server = server().requestHeadTimeout(Duration.ofMillis(300)).start()) {
      Socket slow = connect(server.port());
      slow.getOutputStream().write('G');
      long t0 = System.nanoTime();
      assertThat(closedByPeer(slow)).isTrue();
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(ms).isBetween(200L, 3_000L);
      try (RawHttp raw = new RawHttp(server.port())) {
        assertThat(raw.send(RawHttp.get("/livez")).read().status).isEqualTo(200);
      }
    }
  }

  @Test
  void aHeadTrickledOneByteAtATimeIsClosedAtTheDeadlineFromItsFirstByte() throws Exception {
    try (NettyProbeServer server = server().requestHeadTimeout(Duration.ofMillis(500)).start()) {
      Socket slow = connect(server.port());
      OutputStream out = slow.getOutputStream();
      long t0 = System.nanoTime();
      // One byte every 100 ms: each is "activity", none completes the head.
      await()
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                try {
                  out.write('X');
                  out.flush();
                  return false;
                } catch (IOException e) {
                  return true; // closed by the server
                }
              });
      assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(400L, 3_000L);
    }
  }

  @Test
  void keepsAConnectionThatCompletesHeadsInTimeAndClosesItWhenIdle() throws Exception {
    try (NettyProbeServer server =
            server().requestHeadTimeout(Duration.ofMillis(300)).idleTimeout(Duration.ofMillis(700)).start();
        RawHttp raw = new RawHttp(server.port())) {
      for (int i = 0; i < 3; i++) {
        assertThat(raw.send(RawHttp.get("/livez")).read().status).isEqualTo(200);
      }
      long t0 = System.nanoTime();
      assertThat(raw.closedByServer()).isTrue();
      assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(400L, 4_000L);
    }
  }

  @Test
  void pastTheConnectionCapTheOldestConnectionIsClosed() throws Exception {
    try (NettyProbeServer server = server().maxConnections(4).start()) {
      List<Socket> idle = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        idle.add(connect(server.port()));
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> server.openConnections() == 4);
      try (RawHttp probe = new RawHttp(server.port())) {
        assertThat(probe.send(RawHttp.get("/livez")).read().status).isEqualTo(200);
        assertThat(closedByPeer(idle.get(0))).isTrue();
        assertThat(server.openConnections()).isEqualTo(4);
      }
    }
  }

  @Test
  void rejectsBadLimits() {
    assertThatThrownBy(() -> server().maxConnections(0))
        .hasMessage("maxConnections: 0 (expected: >= 1)");
    assertThatThrownBy(() -> server().idleTimeout(Duration.ZERO))
        .hasMessage("idleTimeout: PT0S (expected: > 0)");
    assertThatThrownBy(() -> server().requestHeadTimeout(Duration.ofMillis(-1)))
        .hasMessage("requestHeadTimeout: PT-0.001S (expected: > 0)");
  }

  /**
   * A client pipelining {@code GET /livez} without reading: its writes stall at the socket buffers
   * and other clients' probes are answered meanwhile. The heap bound itself is asserted in a child
   * JVM with a 64 MB heap by the hostile-client suite of integration-tests.
   */
  @Test
  void keepsAnsweringOthersWhileAClientPipelinesWithoutReading() throws Exception {
    try (NettyProbeServer server = server().idleTimeout(Duration.ofMillis(60_000)).start()) {
      long sent = floodWithoutReading(server.port(), Duration.ofSeconds(2));
      assertThat(sent).as("bytes the server took from a non-reading client").isLessThan(32L << 20);
      try (RawHttp raw = new RawHttp(server.port())) {
        assertThat(raw.send(RawHttp.get("/livez")).read().status).isEqualTo(200);
      }
    }
  }

  /**
   * Application requests (answered 404 on the event loop) pipelined without reading: the server
   * stops reading while their answers back up, and reads on, answering every one, once the client
   * reads.
   */
  @Test
  void turnsAutoReadOffWhileTheChannelIsNotWritableAndBackOnOnceItIs() throws Exception {
    int requests = 40_000; // about 5 MB of answers: more than the kernel buffers hold
    try (TestServer server =
            TestServer.startWith404(ProbeEndpoints.of(health), TestServer.Aggregation.NONE);
        Socket socket = slowReader(server.port())) {
      Thread writer = writeInBackground(socket, repeat(APP, requests));
      await("the server stops reading the client that does not read")
          .atMost(Duration.ofSeconds(40))
          .until(
              () ->
                  server.connections.stream()
                      .anyMatch(ch -> !ch.isWritable() && !ch.config().isAutoRead()));
      // Now read: the server catches up, reads again, and answers every request.
      assertThat(socket.isClosed()).isFalse();
      assertThat(countAnswers(socket.getInputStream(), "HTTP/1.1 404", requests))
          .isEqualTo(requests);
      writer.join(5_000);
      assertThat(server.connections.stream().allMatch(ch -> ch.config().isAutoRead())).isTrue();
      try (RawHttp raw = new RawHttp(server.port())) {
        assertThat(raw.send(RawHttp.get("/livez")).read().status).isEqualTo(200);
      }
    }
  }

  /**
   * Probes pipelined without reading: once the answers back up, at most {@link
   * ProbeHandler#MAX_QUEUED_PROBES} more may wait, then the connection is closed, having cost the
   * server a bounded number of answers.
   */
  @Test
  void closesAClientThatPipelinesProbesWithoutReadingOnceItsAnswersBackUp() throws Exception {
    try (TestServer server =
            TestServer.start(ProbeEndpoints.of(health), TestServer.Aggregation.AFTER_PROBES);
        Socket socket = slowReader(server.port())) {
      Thread writer = writeInBackground(socket, repeat(LIVEZ, 20_000));
      await("the server closes the client that does not read")
          .atMost(Duration.ofSeconds(20))
          .until(() -> server.connections.isEmpty());
      writer.join(5_000);
      int answered = countAnswers(socket.getInputStream(), "HTTP/1.1 200", Integer.MAX_VALUE);
      System.out.printf("[hostile] non-reading pipeliner closed after %,d answers%n", answered);
      // What the kernel buffers and the water mark hold, then 16 queued probes: not 20,000.
      assertThat(answered).isLessThan(10_000);
      try (RawHttp raw = new RawHttp(server.port())) {
        assertThat(raw.send(RawHttp.get("/livez")).read().status).isEqualTo(200);
      }
    }
  }

  /** A connection with a 4 KiB receive buffer: what it does not read backs up quickly. */
  private static Socket slowReader(int port) throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(4096);
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    socket.setSoTimeout(20_000);
    return socket;
  }

  /** Writes {@code bytes} on another thread (the write blocks while the server does not read). */
  private static Thread writeInBackground(Socket socket, byte[] bytes) {
    Thread writer =
        new Thread(
            () -> {
              try {
                socket.getOutputStream().write(bytes);
              } catch (IOException e) {
                // Closed by the server or by the test: the write is over either way.
              }
            },
            "pipeliner");
    writer.start();
    return writer;
  }

  /** Counts {@code statusLine}s until {@code limit} of them or end of stream. */
  private static int countAnswers(InputStream in, String statusLine, int limit)
      throws IOException {
    byte[] status = statusLine.getBytes(StandardCharsets.US_ASCII);
    byte[] buffer = new byte[64 * 1024];
    int answered = 0;
    int matched = 0;
    try {
      for (int n; answered < limit && (n = in.read(buffer)) > 0; ) {
        for (int i = 0; i < n; i++) {
          matched = buffer[i] == status[matched] ? matched + 1 : (buffer[i] == status[0] ? 1 : 0);
          if (matched == status.length) {
            answered++;
            matched = 0;
          }
        }
      }
    } catch (IOException e) {
      // Reset after the close: what was read is counted.
    }
    return answered;
  }

  private static byte[] repeat(byte[] bytes, int times) {
    byte[] all = new byte[bytes.length * times];
    for (int i = 0; i < times; i++) {
      System.arraycopy(bytes, 0, all, i * bytes.length, bytes.length);
    }
    return all;
  }

  @Test
  void closesAClientThatQueuesTooManyProbesBehindASlowResponse() throws Exception {
    try (TestServer server =
            TestServer.start(ProbeEndpoints.of(health), TestServer.Aggregation.AFTER_PROBES);
        RawHttp raw = new RawHttp(server.port())) {
      StringBuilder burst = new StringBuilder(RawHttp.get("/work?gate"));
      for (int i = 0; i <= ProbeHandler.MAX_QUEUED_PROBES; i++) {
        burst.append(RawHttp.get("/livez"));
      }
      raw.send(burst.toString());
      assertThat(raw.closedByServer()).isTrue();
      try (RawHttp fine = new RawHttp(server.port())) {
        StringBuilder ok = new StringBuilder(RawHttp.get("/work?delay=50"));
        for (int i = 0; i < ProbeHandler.MAX_QUEUED_PROBES; i++) {
          ok.append(RawHttp.get("/livez"));
        }
        fine.send(ok.toString());
        assertThat(fine.read().status).isEqualTo(200);
        for (int i = 0; i < ProbeHandler.MAX_QUEUED_PROBES; i++) {
          assertThat(fine.read().body).isEqualTo("ok");
        }
      }
    }
  }

  /** Writes pipelined probes for {@code duration} without reading; returns the bytes written. */
  private long floodWithoutReading(int port, Duration duration) throws Exception {
    Socket socket = connect(port);
    socket.setReceiveBufferSize(4096);
    AtomicLong sent = new AtomicLong();
    byte[] burst = new byte[LIVEZ.length * 256];
    for (int i = 0; i < 256; i++) {
      System.arraycopy(LIVEZ, 0, burst, i * LIVEZ.length, LIVEZ.length);
    }
    Thread writer =
        new Thread(
            () -> {
              try {
                OutputStream out = socket.getOutputStream();
                while (!Thread.currentThread().isInterrupted()) {
                  out.write(burst);
                  sent.addAndGet(burst.length);
                }
              } catch (IOException e) {
                // Closed below to unblock the write: the flood is over.
              }
            },
            "flood");
    writer.start();
    long until = System.nanoTime() + duration.toNanos();
    await().atMost(duration.plusSeconds(5)).until(() -> System.nanoTime() >= until);
    long total = sent.get();
    socket.close();
    writer.join(5_000);
    System.out.printf("[hostile] non-reading client wrote %,d bytes in %s%n", total, duration);
    return total;
  }
}

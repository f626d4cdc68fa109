package dev.probekit.core.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthCheck;
import dev.probekit.core.Status;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TcpCheckTest {

  @Test
  void isUpWhenTheServerAcceptsConnections() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      HealthCheck check = Checks.tcp("127.0.0.1", server.getLocalPort());
      CheckResult result = check.check();

      assertThat(result.isUp()).isTrue();
      assertThat((Long) result.details().get("latencyMs")).isBetween(0L, 1000L);
      assertThat(check.isRemote()).isTrue();
      // The kernel completed the handshake: the connection is really there to accept.
      server.setSoTimeout(2000);
      try (Socket accepted = server.accept()) {
        assertThat(accepted.getInetAddress().isLoopbackAddress()).isTrue();
      }
    }
  }

  @Test
  void isDownWhenThePortIsClosed() throws Exception {
    int port;
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      port = server.getLocalPort();
    }
    CheckResult result = Checks.tcp("127.0.0.1", port).check();

    assertThat(result.status()).isEqualTo(Status.DOWN);
    assertThat(result.message().orElseThrow())
        .startsWith("cannot connect to 127.0.0.1:" + port + " within 1s: java.net.ConnectException");
    assertThat(result.details()).containsKey("latencyMs");
  }

  @Test
  void givesUpAfterItsConnectTimeoutWhenTheServerDoesNotAnswer() throws Exception {
    // A listener that never accepts, with a backlog of 1: once its queue is full the kernel drops
    // further handshakes, so a connect hangs until its timeout, like a silently dead host.
    List<Socket> queued = new ArrayList<>();
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.getLocalPort());
      boolean full = false;
      for (int i = 0; i < 10 && !full; i++) {
        Socket socket = new Socket();
        queued.add(socket);
        try {
          socket.connect(address, 200);
        } catch (SocketTimeoutException e) {
          full = true;
        }
      }
      assertThat(full).as("the accept queue filled up within 10 connections").isTrue();

      long start = System.nanoTime();
      CheckResult result =
          Checks.tcp("127.0.0.1", server.getLocalPort(), Duration.ofMillis(300)).check();
      long tookMs = (System.nanoTime() - start) / 1_000_000;

      assertThat(result.status()).isEqualTo(Status.DOWN);
      assertThat(result.message().orElseThrow())
          .startsWith("cannot connect to 127.0.0.1:" + server.getLocalPort() + " within 300ms: ")
          .contains("SocketTimeoutException");
      assertThat(tookMs).isBetween(250L, 2_000L);
    } finally {
      for (Socket socket : queued) {
        socket.close();
      }
    }
  }

  @Test
  void rejectsAPortOutOfRange() {
    assertThatThrownBy(() -> Checks.tcp("localhost", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("port: 0 (expected: 1-65535)");
    assertThatThrownBy(() -> Checks.tcp("localhost", 65536))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Checks.tcp("localhost", 80, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("connectTimeout: PT0S (expected: > 0)");
  }
}

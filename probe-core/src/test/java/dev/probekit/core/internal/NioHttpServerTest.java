package dev.probekit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.probekit.core.testkit.RawHttp;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The loop itself: a handler that throws or fails never takes the server's thread down. */
class NioHttpServerTest {
  private static final HttpAnswer OK = HttpAnswer.text(200, "ok");
  private static final ServerLimits LIMITS = new ServerLimits(Duration.ofSeconds(1), Duration.ofSeconds(10), 16);

  private NioHttpServer server;

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
  }

  private URI start(HttpHandler handler) throws Exception {
    server = NioHttpServer.start(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16, LIMITS, () -> false, handler, "test-loop");
    return URI.create("http://127.0.0.1:" + server.address().getPort());
  }

  @Test
  void handlerThrowingAnythingGetsA503AndTheLoopServesOn() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    URI base = start(request -> {
      switch (request.rawPath()) {
        case "/runtime":
          throw new IllegalStateException("password=secret");
        case "/error":
          throw new StackOverflowError();
        case "/failed-later":
          return HttpAnswer.later(CompletableFuture.failedFuture(new IllegalStateException("nope")));
        case "/null":
          return null;
        default:
          calls.incrementAndGet();
          return OK;
      }
    });

    for (String path : new String[] {"/runtime", "/error", "/null", "/runtime", "/error"}) {
      RawHttp.Response response = RawHttp.exchange(base, "GET", path);
      assertThat(response.status()).as(path).isEqualTo(503);
      assertThat(response.body()).isEqualTo("probe unavailable");
    }
    assertThat(RawHttp.exchange(base, "GET", "/ok").body()).isEqualTo("ok");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> RawHttp.exchange(base, "GET", "/failed-later"))
        .as("a failed promise closes the connection unanswered")
        .hasMessageContaining("closed");
    assertThat(RawHttp.exchange(base, "GET", "/ok").body()).isEqualTo("ok");
    assertThat(server.thread().isAlive()).isTrue();
    assertThat(calls.get()).isEqualTo(2);
  }

  @Test
  void closeEndsTheThreadAndIsIdempotent() throws Exception {
    URI base = start(request -> OK);
    assertThat(RawHttp.exchange(base, "GET", "/").status()).isEqualTo(200);
    server.close();
    server.close();
    assertThat(server.thread().isAlive()).isFalse();
  }
}

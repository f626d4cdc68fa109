package dev.probekit.benchmarks.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.ProbeRequest;
import dev.probekit.core.ProbeResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ExecutorService;

/**
 * The baseline the NIO {@code ProbeServer} replaced (issue 14): the essence of the old built-in
 * server, the JDK's {@code com.sun.net.httpserver} on a fixed pool of 2 threads with
 * TCP_NODELAY, answering {@link ProbeEndpoints} as it did (headers set on the exchange, the body
 * written to its stream); against the same JDK server answering a constant {@code ok}.
 */
final class JdkHttpServerStack implements Stack {
  /** The old server's default thread count. */
  static final int OLD_DEFAULT_THREADS = 2;

  private final HealthRegistry health;
  private final ProbeEndpoints endpoints;
  private final HttpServer probeServer;
  private final ExecutorService probeExecutor;
  private final HttpServer okServer;
  private final ExecutorService okExecutor;

  JdkHttpServerStack() {
    this(true);
  }

  /** @param okTwin whether to start the constant-{@code ok} twin (not when counting threads) */
  JdkHttpServerStack(boolean okTwin) {
    health = BuiltInStack.readyHealth();
    endpoints = ProbeEndpoints.of(health);
    probeExecutor = BuiltInStack.fixedPool(OLD_DEFAULT_THREADS);
    try {
      probeServer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    probeServer.setExecutor(probeExecutor);
    probeServer.createContext("/", this::handle);
    probeServer.start();
    okExecutor = okTwin ? BuiltInStack.fixedPool(OLD_DEFAULT_THREADS) : null;
    okServer = okTwin ? BuiltInStack.constantOkServer(okExecutor) : null;
  }

  /** The old {@code ProbeServer.handle}, minus the pre-stop endpoint. */
  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      URI uri = exchange.getRequestURI();
      ProbeRequest request =
          ProbeRequest.of(
              exchange.getRequestMethod(), uri.getRawPath(), uri.getRawQuery(),
              exchange.getRequestHeaders().getFirst("Accept"));
      ProbeResponse response =
          endpoints.matches(uri.getRawPath())
              ? endpoints.handle(request)
              : ProbeResponse.text(404, "not found");
      for (Map.Entry<String, String> header : response.headers()) {
        exchange.getResponseHeaders().set(header.getKey(), header.getValue());
      }
      if (response.isHead()) {
        exchange.sendResponseHeaders(response.status(), -1);
      } else {
        exchange.sendResponseHeaders(response.status(), response.contentLength());
        response.writeBody(exchange.getResponseBody());
      }
    }
  }

  @Override
  public String name() {
    return "old built-in: JDK httpserver, 2 threads (baseline)";
  }

  @Override
  public InetSocketAddress probeAddress() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), probeServer.getAddress().getPort());
  }

  @Override
  public String probePath() {
    return "/readyz";
  }

  @Override
  public InetSocketAddress okAddress() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), okServer.getAddress().getPort());
  }

  @Override
  public String okPath() {
    return "/ok";
  }

  @Override
  public void close() {
    probeServer.stop(0);
    probeExecutor.shutdownNow();
    if (okServer != null) {
      okServer.stop(0);
      okExecutor.shutdownNow();
    }
    health.close();
  }
}

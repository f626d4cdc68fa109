package dev.probekit.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.server.ProbeServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** Boots the demo as configured (random ports): the application under /shop, probes on their port. */
class SpringDemoApplicationTest {

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  static HttpResponse<String> send(String method, String url) throws IOException, InterruptedException {
    return send(method, url, Duration.ofSeconds(5));
  }

  static HttpResponse<String> send(String method, String url, Duration timeout)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(timeout)
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
    return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesTheShopUnderItsContextPathAndTheProbesOnTheProbePort() throws Exception {
    try (ConfigurableApplicationContext context =
        new SpringApplicationBuilder(SpringDemoApplication.class)
            .run("--server.port=0", "--probekit.server.port=0", "--server.address=127.0.0.1",
                "--probekit.server.address=127.0.0.1", "--probekit.default-interval=200ms")) {
      String app = "http://127.0.0.1:"
          + ((WebServerApplicationContext) context).getWebServer().getPort();
      String probes = "http://127.0.0.1:" + context.getBean(ProbeServer.class).port();

      assertThat(send("GET", app + "/shop/orders").body()).isEqualTo("[\"order-1\",\"order-2\"]");
      await().atMost(Duration.ofSeconds(15))
          .until(() -> send("GET", probes + "/readyz").statusCode() == 200);
      String verbose = send("GET", probes + "/readyz?verbose").body();
      assertThat(verbose)
          .contains("[+]orders ok")
          .contains("diskSpace")
          .contains("readiness check passed");
      assertThat(send("GET", probes + "/livez?verbose").body()).contains("[+]deadlocks ok");
      // The probe port is the one the kubelet uses; the main port serves the application only.
      assertThat(send("GET", app + "/shop/readyz").statusCode()).isEqualTo(404);

      assertThat(send("POST", app + "/shop/store?online=false").statusCode()).isEqualTo(200);
      await().atMost(Duration.ofSeconds(10))
          .until(() -> send("GET", probes + "/readyz").statusCode() == 503);
      assertThat(send("GET", probes + "/readyz").body()).isEqualTo("readiness check failed");
      assertThat(send("GET", probes + "/livez").statusCode()).isEqualTo(200);
      send("POST", app + "/shop/store?online=true");
      await().atMost(Duration.ofSeconds(10))
          .until(() -> send("GET", probes + "/readyz").statusCode() == 200);
    }
  }
}

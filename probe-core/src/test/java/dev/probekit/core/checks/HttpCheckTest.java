package dev.probekit.core.checks;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthCheck;
import dev.probekit.core.Status;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpCheckTest {
  private static WireMockServer server;

  /** Generous: these tests are about status codes, not speed, on a shared and busy machine. */
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  @BeforeAll
  static void startServer() throws Exception {
    server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    server.start();
    // The first request to a cold WireMock takes a second or more; keep that out of the tests.
    answer("/warm-up", 200);
    assertThat(Checks.http(uri("/warm-up"), Duration.ofSeconds(30)).check().isUp()).isTrue();
  }

  @AfterAll
  static void stopServer() {
    server.stop();
  }

  @BeforeEach
  void reset() {
    server.resetAll();
  }

  private static URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  private static void answer(String path, int status) {
    server.stubFor(get(urlPathEqualTo(path)).willReturn(aResponse().withStatus(status).withBody("x")));
  }

  @Test
  void isUpOn200WithTheStatusCodeAndLatencyInTheDetails() throws Exception {
    answer("/health", 200);
    HealthCheck check = Checks.http(uri("/health"), TIMEOUT);

    CheckResult result = check.check();

    assertThat(result.isUp()).isTrue();
    assertThat(result.details()).containsEntry("statusCode", 200);
    assertThat((Long) result.details().get("latencyMs")).isBetween(0L, 1000L);
    assertThat(check.isRemote()).isTrue();
    server.verify(
        1,
        getRequestedFor(urlPathEqualTo("/health"))
            .withHeader("User-Agent", com.github.tomakehurst.wiremock.client.WireMock.equalTo(
                "probekit-health-check")));
  }

  @ParameterizedTest
  @ValueSource(ints = {201, 204, 301, 302, 304, 399})
  void countsEvery2xxAnd3xxAsUpWithoutFollowingRedirects(int status) throws Exception {
    server.stubFor(
        get(urlPathEqualTo("/moved"))
            .willReturn(aResponse().withStatus(status).withHeader("Location", "/elsewhere")));

    CheckResult result = Checks.http(uri("/moved"), TIMEOUT).check();

    assertThat(result.isUp()).isTrue();
    assertThat(result.details()).containsEntry("statusCode", status);
    server.verify(0, getRequestedFor(urlPathEqualTo("/elsewhere")));
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 404, 500, 503})
  void isDownOnAnErrorStatus(int status) throws Exception {
    answer("/health", status);

    CheckResult result = Checks.http(uri("/health"), TIMEOUT).check();

    assertThat(result.status()).isEqualTo(Status.DOWN);
    assertThat(result.message())
        .hasValue("GET http://127.0.0.1:" + server.port() + "/health answered HTTP " + status);
    assertThat(result.details()).containsEntry("statusCode", status);
  }

  @Test
  void isDownWithinItsOwnTimeoutWhenTheServerIsSlow() throws Exception {
    server.stubFor(
        get(urlPathEqualTo("/slow"))
            .willReturn(aResponse().withStatus(200).withFixedDelay(3_000)));
    HealthCheck check = Checks.http(uri("/slow"), Duration.ofMillis(300));

    long start = System.nanoTime();
    CheckResult result = check.check();
    long tookMs = (System.nanoTime() - start) / 1_000_000;

    assertThat(result.status()).isEqualTo(Status.DOWN);
    assertThat(result.message())
        .hasValue("GET http://127.0.0.1:" + server.port() + "/slow timed out after 300ms");
    assertThat(tookMs).isBetween(250L, 2_000L);
  }

  @Test
  void isDownWhenTheConnectionIsReset() throws Exception {
    server.stubFor(
        get(urlPathEqualTo("/reset"))
            .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

    CheckResult result = Checks.http(uri("/reset"), TIMEOUT).check();

    assertThat(result.status()).isEqualTo(Status.DOWN);
    assertThat(result.message().orElseThrow())
        .startsWith("GET http://127.0.0.1:" + server.port() + "/reset failed: java.io.IOException");
    assertThat(result.error()).isEmpty();
  }

  @Test
  void isDownWhenNothingListens() throws Exception {
    int port;
    try (java.net.ServerSocket closed = new java.net.ServerSocket(0)) {
      port = closed.getLocalPort();
    }
    CheckResult result = Checks.http(URI.create("http://127.0.0.1:" + port + "/"), TIMEOUT).check();

    assertThat(result.status()).isEqualTo(Status.DOWN);
    assertThat(result.message().orElseThrow()).contains("ConnectException");
  }

  @Test
  void neverShowsUserInfoOrQueryOfTheUri() throws Exception {
    answer("/health", 503);
    URI secretUri =
        URI.create(
            "http://monitor:hunter2@127.0.0.1:" + server.port() + "/health?token=abc123#frag");
    HealthCheck check = Checks.http(secretUri, TIMEOUT);

    CheckResult result = check.check();

    assertThat(result.status()).isEqualTo(Status.DOWN);
    assertThat(result.message())
        .hasValue("GET http://127.0.0.1:" + server.port() + "/health answered HTTP 503");
    assertThat(result.toString() + check).doesNotContain("hunter2").doesNotContain("abc123");
  }

  @Test
  void reusesOneClientAcrossRuns() throws Exception {
    answer("/health", 200);
    HealthCheck check = Checks.http(uri("/health"), TIMEOUT);
    for (int i = 0; i < 5; i++) {
      assertThat(check.check().isUp()).isTrue();
    }
    server.verify(5, getRequestedFor(urlPathEqualTo("/health")));
  }

  @Test
  void rejectsUrisThatAreNotHttp() {
    assertThatThrownBy(() -> Checks.http(URI.create("ftp://127.0.0.1/")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("uri: ftp://127.0.0.1/ (expected: http or https with a host)");
    assertThatThrownBy(() -> Checks.http(URI.create("/relative")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Checks.http(URI.create("http://u:pw@127.0.0.1/"), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("timeout: PT0S (expected: > 0)");
  }
}

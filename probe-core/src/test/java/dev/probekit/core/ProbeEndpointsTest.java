package dev.probekit.core;

import static dev.probekit.core.HealthFixture.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.probekit.core.testkit.SwitchableCheck;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ProbeEndpoints} called directly, for what HTTP cannot show: shared pre-rendered
 * responses, exact length limits, inputs no HTTP client sends, and the builder's checks.
 */
class ProbeEndpointsTest {
  @RegisterExtension final HealthFixture fixture = new HealthFixture();

  @Test
  void plainProbeIsServedFromTheSnapshotsPreRenderedResponse() {
    HealthRegistry health = fixture.health();
    SwitchableCheck db = new SwitchableCheck(CheckResult.up());
    health.register("db", db, CheckOptions.of(Probe.READINESS));
    awaitStatus(health, "db", Status.UP);
    ProbeEndpoints endpoints = ProbeEndpoints.of(health);

    ProbeResponse first = endpoints.handle("GET", "/readyz", null, null);
    ProbeSnapshot snapshot = health.snapshot(Probe.READINESS);
    assertThat(first).isSameAs(snapshot.response(false));
    assertThat(endpoints.handle("GET", "/readyz", "", "*/*")).isSameAs(snapshot.response(false));
    assertThat(endpoints.handle("HEAD", "/readyz", null, null)).isSameAs(snapshot.response(true));

    db.set(CheckResult.down("gone"));
    awaitStatus(health, "db", Status.DOWN);
    ProbeResponse down = endpoints.handle("GET", "/readyz", null, null);
    assertThat(down.status()).isEqualTo(503);
    assertThat(down).isSameAs(health.snapshot(Probe.READINESS).response(false));
  }

  @Test
  void headOfEveryAnswerIsBodyLessWithTheGetLength() {
    HealthRegistry health = fixture.health();
    health.register("db", () -> CheckResult.up(), CheckOptions.of(Probe.READINESS));
    awaitStatus(health, "db", Status.UP);
    ProbeEndpoints endpoints = ProbeEndpoints.of(health);

    String[][] requests = {
      {"/readyz", null}, {"/readyz", "verbose"}, {"/readyz/db", null}, {"/readyz/nope", null},
      {"/nope", null}, {"/readyz", "exclude=%FF"}, {"/readyz/%FF", null}, {"/readyz", "x=" + "a".repeat(3000)},
    };
    for (String[] r : requests) {
      ProbeResponse get = endpoints.handle("GET", r[0], r[1], null);
      ProbeResponse head = endpoints.handle("HEAD", r[0], r[1], null);
      assertThat(head.isHead()).as("HEAD %s?%s", r[0], r[1]).isTrue();
      assertThat(head.bodyLength()).isZero();
      assertThat(head.body()).isEmpty();
      assertThat(head.status()).isEqualTo(get.status());
      assertThat(head.headers()).isEqualTo(get.headers());
      assertThat(head.contentLength()).isEqualTo(get.contentLength()).isPositive();
    }
  }

  @Test
  void pathAndQueryLimitsAreExactly2048Characters() {
    HealthRegistry health = fixture.health();
    ProbeEndpoints endpoints = ProbeEndpoints.of(health);
    String path2048 = "/readyz/" + "a".repeat(2048 - "/readyz/".length());

    assertThat(endpoints.handle("GET", path2048, null, null).status()).as("unknown check").isEqualTo(404);
    assertThat(endpoints.handle("GET", path2048 + "a", null, null).status()).isEqualTo(414);
    assertThat(endpoints.handle("GET", "/livez", "v=" + "a".repeat(2046), null).status()).isEqualTo(200);
    ProbeResponse tooLong = endpoints.handle("GET", "/livez", "v=" + "a".repeat(2047), null);
    assertThat(tooLong.status()).isEqualTo(414);
    assertThat(tooLong.bodyAsString()).isEqualTo("URI too long");
  }

  @Test
  void inputsNoHttpClientSendsAreStillAnswered() {
    ProbeEndpoints endpoints = ProbeEndpoints.of(fixture.health());

    assertThat(endpoints.handle(null, "/livez", null, null).status()).isEqualTo(405);
    assertThat(endpoints.handle("get", "/livez", null, null).status()).as("methods are case-sensitive").isEqualTo(405);
    assertThat(endpoints.handle("GET", null, null, null).status()).isEqualTo(404);
    assertThat(endpoints.handle("GET", "", null, null).status()).isEqualTo(404);
    assertThat(endpoints.handle("GET", "/livez", "&&&", null).status()).isEqualTo(200);
    assertThat(endpoints.handle("GET", "/livez", "=", null).status()).isEqualTo(200);
    ProbeResponse methodNotAllowed = endpoints.handle("POST", "/livez", null, null);
    assertThat(methodNotAllowed.headers()).extracting(h -> h.getKey() + ": " + h.getValue())
        .contains("Allow: GET, HEAD", "Cache-Control: no-store", "X-Content-Type-Options: nosniff");
  }

  @Test
  void randomRequestsNeverThrowAndNeverAnswer5xxOtherThan503() {
    HealthRegistry health = fixture.health();
    health.register("db", () -> CheckResult.down("x"), CheckOptions.of(Probe.READINESS));
    awaitStatus(health, "db", Status.DOWN);
    ProbeEndpoints endpoints = ProbeEndpoints.builder(health).detailsPolicy(DetailsPolicy.always()).build();
    String alphabet = "/%+=&?;#azAZ09.-_~\u00e9\u20ac\ud83d\ude00 \r\n\0";
    String[] starts = {"/livez", "/readyz", "/readyz/", "/healthz/", "/startupz", ""};
    Random random = new Random(42);

    for (int i = 0; i < 5000; i++) {
      String path = starts[random.nextInt(starts.length)] + junk(random, alphabet);
      String query = random.nextBoolean() ? null : junk(random, alphabet);
      String accept = random.nextInt(4) == 0 ? "application/json" : null;
      String method = random.nextInt(10) == 0 ? "HEAD" : "GET";
      ProbeResponse response = endpoints.handle(method, path, query, accept);
      assertThat(response.status()).as("%s %s?%s", method, path, query).isIn(200, 400, 404, 405, 414, 503);
    }
  }

  @Test
  void throwingDetailsPolicyWithholdsDetailsInsteadOfFailing() {
    HealthRegistry health = fixture.health();
    health.register("db", () -> CheckResult.down("secret reason"), CheckOptions.of(Probe.READINESS));
    awaitStatus(health, "db", Status.DOWN);
    ProbeEndpoints endpoints =
        ProbeEndpoints.builder(health)
            .detailsPolicy(request -> {
              throw new IllegalStateException("policy bug");
            })
            .build();

    ProbeResponse response = endpoints.handle("GET", "/readyz", "verbose", null);
    assertThat(response.status()).isEqualTo(503);
    assertThat(response.bodyAsString()).isEqualTo("[-]db failed: reason withheld\nreadiness check failed\n");
  }

  @Test
  void detailsPolicyPredicateSeesTheRequestHeaders() {
    HealthRegistry health = fixture.health();
    health.register("db", () -> CheckResult.down("why"), CheckOptions.of(Probe.READINESS));
    awaitStatus(health, "db", Status.DOWN);
    ProbeEndpoints endpoints =
        ProbeEndpoints.builder(health).detailsPolicy(DetailsPolicy.when(r -> "json".equals(r.header("X-Ops")) || r.header("accept") != null)).build();

    assertThat(endpoints.handle("GET", "/readyz", "verbose", null).bodyAsString()).contains("reason withheld");
    assertThat(endpoints.handle("GET", "/readyz", null, "application/json").bodyAsString()).contains("\"message\":\"why\"");
    assertThatThrownBy(() -> DetailsPolicy.bearerToken("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DetailsPolicy.bearerToken(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void multiLineReasonCannotForgeVerboseLines() {
    HealthRegistry health = fixture.health();
    health.register("db", () -> CheckResult.down("bad\n[+]fake ok\r\nreadiness check passed"), CheckOptions.of(Probe.READINESS));
    awaitStatus(health, "db", Status.DOWN);
    ProbeEndpoints endpoints = ProbeEndpoints.builder(health).detailsPolicy(DetailsPolicy.always()).build();

    String body = endpoints.handle("GET", "/readyz", "verbose", null).bodyAsString();
    assertThat(body.lines()).hasSize(2);
    assertThat(body).endsWith("\nreadiness check failed\n");
  }

  @Test
  void formatTextOverridesAJsonAcceptAndVerboseCanBeSwitchedOff() {
    HealthRegistry health = fixture.health();
    health.register("db", () -> CheckResult.up(), CheckOptions.of(Probe.READINESS));
    awaitStatus(health, "db", Status.UP);
    ProbeEndpoints endpoints = ProbeEndpoints.of(health);

    assertThat(endpoints.handle("GET", "/readyz", "format=text", "application/json").bodyAsString()).isEqualTo("ok");
    assertThat(endpoints.handle("GET", "/readyz", "verbose=false", null).bodyAsString()).isEqualTo("ok");
    assertThat(endpoints.handle("GET", "/readyz", "verbose=0", null).bodyAsString()).isEqualTo("ok");
    assertThat(endpoints.handle("GET", "/readyz", "verbose=1", null).bodyAsString()).endsWith("readiness check passed\n");
    assertThat(endpoints.handle("GET", "/readyz/db", null, "application/json").contentType()).isEqualTo("application/json");
  }

  @Test
  void matchesOnlyContractPathsLiterally() {
    ProbeEndpoints root = ProbeEndpoints.of(fixture.health());
    ProbeEndpoints prefixed = ProbeEndpoints.builder(fixture.health()).prefix("/health").build();

    assertThat(root.matches("/readyz")).isTrue();
    assertThat(root.matches("/readyz/db")).isTrue();
    assertThat(root.matches("/healthz/x/y")).isTrue();
    assertThat(root.matches("/readyz/")).isFalse();
    assertThat(root.matches("/readyzz")).isFalse();
    assertThat(root.matches("/read%79z")).isFalse();
    assertThat(root.matches(null)).isFalse();
    assertThat(prefixed.matches("/health/livez")).isTrue();
    assertThat(prefixed.matches("/livez")).isFalse();
    assertThat(prefixed.path(Probe.STARTUP)).isEqualTo("/health/startupz");
    assertThat(prefixed.overallPath()).isEqualTo("/health/healthz");
    assertThat(root.path(Probe.LIVENESS)).isEqualTo("/livez");
  }

  @ParameterizedTest
  @ValueSource(strings = {"health", "/health/", "/a?b", "//"})
  void invalidPrefixIsRejected(String prefix) {
    ProbeEndpoints.Builder builder = ProbeEndpoints.builder(fixture.health());

    assertThatThrownBy(() -> builder.prefix(prefix)).isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("prefix: ");
  }

  @Test
  void slashPrefixMeansNone() {
    ProbeEndpoints endpoints = ProbeEndpoints.builder(fixture.health()).prefix("/").build();

    assertThat(endpoints.prefix()).isEmpty();
    assertThat(endpoints.path(Probe.READINESS)).isEqualTo("/readyz");
  }

  private static String junk(Random random, String alphabet) {
    StringBuilder sb = new StringBuilder();
    int length = random.nextInt(12);
    for (int i = 0; i < length; i++) {
      sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return sb.toString();
  }
}

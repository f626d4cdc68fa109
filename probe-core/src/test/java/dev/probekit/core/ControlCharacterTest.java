package dev.probekit.core;

import static dev.probekit.core.HealthFixture.awaitStatus;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A check message is the check author's text, which may quote anything (a remote error page, a
 * file name): with details allowed it must reach neither the terminal of whoever curls the probe
 * nor a line-based reader as a control sequence.
 */
class ControlCharacterTest {
  @RegisterExtension final HealthFixture fixture = new HealthFixture();

  /** Every C0 control, DEL, every C1 control, U+2028, U+2029 and both lone surrogates. */
  static String hostileText() {
    StringBuilder sb = new StringBuilder("start");
    for (char c = 0; c < 0x20; c++) {
      sb.append(c);
    }
    sb.append('\u007f');
    for (char c = 0x80; c <= 0x9f; c++) {
      sb.append(c);
    }
    return sb.append("\u2028\u2029\uD800x\uDC00")
        .append("\u001b[2J\u001b]0;pwned\u0007")
        .append("\n[+]fake ok\nreadiness check passed\n")
        .append("end \u00e9\uD83D\uDE00")
        .toString();
  }

  private static boolean unprintable(int c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029
        || Character.isSurrogate((char) c);
  }

  private ProbeEndpoints endpointsWithADownCheck() {
    HealthRegistry health = fixture.health();
    health.register("db", () -> CheckResult.down(hostileText()), CheckOptions.of(Probe.READINESS));
    health.register(
        "cache",
        () -> {
          throw new IllegalStateException("boom\u001b[31m\u0085\u2028red");
        },
        CheckOptions.builder(Probe.READINESS).required(false).build());
    health.readiness().down("maintenance\u001b[5m\u2029now");
    awaitStatus(health, "db", Status.DOWN);
    awaitStatus(health, "cache", Status.DOWN);
    return ProbeEndpoints.builder(health).detailsPolicy(DetailsPolicy.always()).build();
  }

  @Test
  void verboseBodyReplacesEveryControlCharacterAndKeepsOneLinePerCheck() {
    ProbeEndpoints endpoints = endpointsWithADownCheck();

    String body = endpoints.handle("GET", "/readyz", "verbose", null).bodyAsString();

    List<String> lines = body.lines().toList();
    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).startsWith("[-]db failed: start").endsWith("end \u00e9\uD83D\uDE00");
    assertThat(lines.get(1)).startsWith("[~]cache failed: java.lang.IllegalStateException: boom").endsWith("red (optional)");
    assertThat(lines.get(2)).startsWith("[-]override failed: maintenance").endsWith("now");
    assertThat(lines.get(3)).isEqualTo("readiness check failed");
    // Nothing but the line breaks between lines; the surrogate pair of the emoji stays whole.
    String withoutBreaks = body.replace("\n", "");
    for (int i = 0; i < withoutBreaks.length(); i++) {
      char c = withoutBreaks.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < withoutBreaks.length()
          && Character.isLowSurrogate(withoutBreaks.charAt(i + 1))) {
        i++;
        continue;
      }
      assertThat(unprintable(c)).as("U+%04X at %d", (int) c, i).isFalse();
    }
    assertThat(body).contains("\uFFFD[2J").doesNotContain("[+]fake ok\n");
  }

  @Test
  void singleCheckVerboseBodyIsCleanedToo() {
    ProbeEndpoints endpoints = endpointsWithADownCheck();

    String body = endpoints.handle("GET", "/readyz/db", "verbose", null).bodyAsString();

    assertThat(body.lines().toList()).hasSize(2);
    assertThat(body.replace("\n", "").chars().filter(c -> unprintable(c) && !Character.isSurrogate((char) c)))
        .isEmpty();
  }

  @Test
  void jsonEscapesEveryControlCharacterAndStillCarriesTheTextExactly() throws Exception {
    ProbeEndpoints endpoints = endpointsWithADownCheck();

    ProbeResponse response = endpoints.handle("GET", "/readyz", "format=json", null);
    byte[] bytes = response.body();
    String raw = new String(bytes, StandardCharsets.UTF_8);

    // On the wire: ASCII escapes only, so no terminal acts on them.
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < raw.length() && Character.isLowSurrogate(raw.charAt(i + 1))) {
        i++;
        continue;
      }
      assertThat(unprintable(c)).as("raw U+%04X at %d", (int) c, i).isFalse();
    }
    assertThat(raw).contains("\\u001B[2J", "\\u0085", "\\u2028", "\\u2029", "\\u007F", "\\uD800");
    // A JSON reader gets the check's message back exactly.
    try (JsonParser p = new JsonFactory().createParser(bytes)) {
      String message = null;
      while (p.nextToken() != null) {
        if (p.currentToken() == JsonToken.FIELD_NAME && "message".equals(p.currentName()) && message == null) {
          p.nextToken();
          message = p.getText();
        }
      }
      assertThat(message).isEqualTo(hostileText());
    }
  }
}

package dev.probekit.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;

/** {@link DetailsPolicy#bearerToken(String)}: the scheme in any case, the token exactly. */
class BearerTokenPolicyTest {
  private static final DetailsPolicy POLICY = DetailsPolicy.bearerToken("s3cr3t-t0ken");

  private static ProbeRequest withAuthorization(String value) {
    return new ProbeRequest() {
      @Override
      public String method() {
        return "GET";
      }

      @Override
      public String rawPath() {
        return "/readyz";
      }

      @Override
      public String rawQuery() {
        return "verbose";
      }

      @Override
      public String header(String name) {
        return "Authorization".equalsIgnoreCase(name) ? value : null;
      }
    };
  }

  @ParameterizedTest(name = "[{0}] -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "Bearer s3cr3t-t0ken | true",
        "bearer s3cr3t-t0ken | true",
        "BEARER s3cr3t-t0ken | true",
        "bEaReR s3cr3t-t0ken | true",
        "'Bearer   s3cr3t-t0ken' | true",
        "Bearer S3CR3T-T0KEN | false",
        "Bearer s3cr3t-t0ke | false",
        "Bearer s3cr3t-t0kenX | false",
        "'Bearer s3cr3t-t0ken ' | false",
        "Basic s3cr3t-t0ken | false",
        "Bearers3cr3t-t0ken | false",
        "s3cr3t-t0ken | false",
        "Bearer | false",
        "'' | false",
      })
  void acceptsTheSchemeInAnyCaseAndOnlyTheExactToken(String header, boolean allowed) {
    assertThat(POLICY.allows(withAuthorization(header))).isEqualTo(allowed);
  }

  @ParameterizedTest
  @NullSource
  void noHeaderIsNoDetails(String header) {
    assertThat(POLICY.allows(withAuthorization(header))).isFalse();
  }
}

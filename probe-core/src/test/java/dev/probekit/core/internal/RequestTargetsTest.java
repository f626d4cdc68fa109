package dev.probekit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The one request-target parser every adapter uses: the cases each adapter's own parser handled
 * (the built-in server's absolute form, Netty's fragments and targets that are neither form,
 * WebFlux's raw query, the servlet context path, decoded or not), on one table.
 */
class RequestTargetsTest {

  @ParameterizedTest(name = "{0} -> path {1}, query {2}")
  @CsvSource(
      delimiter = '|',
      nullValues = "NULL",
      value = {
        // origin form
        "/readyz                          | /readyz          | NULL",
        "/readyz?verbose                  | /readyz          | verbose",
        "/readyz?                         | /readyz          | ''",
        "/readyz?exclude=a&exclude=b      | /readyz          | exclude=a&exclude=b",
        "/readyz/a%2Fb?exclude=%zz        | /readyz/a%2Fb    | exclude=%zz",
        "/readyz?x=a?b                    | /readyz          | x=a?b",
        "/                                | /                | NULL",
        "/a://b                           | /a://b           | NULL",
        // a fragment is never part of a target
        "/readyz#frag                     | /readyz          | NULL",
        "/readyz?verbose#frag?x           | /readyz          | verbose",
        // absolute form: the authority is dropped, an empty path is /
        "http://probe:8081/livez          | /livez           | NULL",
        "HTTPS://probe/readyz?verbose=0   | /readyz          | verbose=0",
        "http://probe                     | /                | NULL",
        "http://probe?verbose             | /                | verbose",
        "http://probe#frag                | /                | NULL",
        "http://probe?q=/livez            | /                | q=/livez",
        "http://user@probe:1/a/b?c#d      | /a/b             | c",
        // neither form: its own path, which is never a probe path
        "*                                | *                | NULL",
        "readyz                           | readyz           | NULL",
        "://probe/livez                   | ://probe/livez   | NULL",
        "''                               | ''               | NULL",
      })
  void splitsTheTargetIntoRawPathAndRawQuery(String target, String path, String query) {
    assertThat(RequestTargets.rawPath(target)).isEqualTo(path);
    assertThat(RequestTargets.rawQuery(target)).isEqualTo(query);
  }

  @ParameterizedTest(name = "{0} in {1} -> {2}")
  @CsvSource(
      delimiter = '|',
      nullValues = "NULL",
      value = {
        "/readyz/db       | ''       | /readyz/db",
        "/readyz/db       | NULL     | /readyz/db",
        "/app/readyz/db   | /app     | /readyz/db",
        "/app/livez       | /app     | /livez",
        "/app             | /app     | ''",
        "/a/b/livez       | /a/b     | /livez",
        // the context path reported decoded: as many raw segments are dropped
        "/%61pp/livez     | /app     | /livez",
        "/%61/%62/readyz  | /a/b     | /readyz",
        "/%61pp           | /app     | ''",
        "NULL             | /app     | NULL",
      })
  void dropsTheContextPathRawOrDecoded(String rawPath, String contextPath, String within) {
    assertThat(RequestTargets.withinContext(rawPath, contextPath)).isEqualTo(within);
  }

  @org.junit.jupiter.api.Test
  void anOriginFormTargetWithNothingToCutIsReturnedItself() {
    String target = new String("/readyz/db");
    assertThat(RequestTargets.rawPath(target)).isSameAs(target);
  }
}

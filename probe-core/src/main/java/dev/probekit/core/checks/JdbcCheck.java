package dev.probekit.core.checks;

import dev.probekit.core.CheckResult;
import dev.probekit.core.internal.DependencyCheck;
import dev.probekit.core.internal.Durations;
import dev.probekit.core.internal.Failures;
import dev.probekit.core.internal.Secrets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;

/**
 * UP when a connection opens and {@link Connection#isValid(int)} confirms it within a timeout.
 * Remote. Messages name the database only by its JDBC subprotocol and mask secrets in driver
 * messages, which often quote the URL.
 */
final class JdbcCheck implements DependencyCheck {

  /** Opens a connection: a {@code DataSource} or {@code DriverManager}. */
  @FunctionalInterface
  interface ConnectionSource {
    Connection open() throws SQLException;
  }

  private final String label;
  private final ConnectionSource source;
  private final Duration timeout;
  private final String url;
  private final String password;

  /**
   * @param label what messages call the database, such as {@code jdbc:postgresql}
   * @param url the URL, replaced by the label wherever a driver quotes it; may be {@code null}
   * @param password masked wherever a driver quotes it; may be {@code null}
   */
  JdbcCheck(
      String label, ConnectionSource source, Duration timeout, String url, String password) {
    this.label = label;
    this.source = source;
    this.timeout = timeout;
    this.url = url;
    this.password = password;
  }

  @Override
  public CheckResult check() {
    return attempt(timeout);
  }

  /** Never throws: a driver's exception text is masked here, where the URL and password are known. */
  @Override
  public CheckResult attempt(Duration timeout) {
    long start = System.nanoTime();
    // isValid takes whole seconds, and 0 would mean "no timeout".
    int seconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (timeout.toMillis() + 999) / 1000));
    try (Connection connection = source.open()) {
      boolean valid = connection.isValid(seconds);
      long latency = Checks.millisSince(start);
      CheckResult result =
          valid
              ? CheckResult.up()
              : CheckResult.down(
                  label + " connection not valid within " + Durations.format(timeout));
      return result.withDetail("latencyMs", latency);
    } catch (SQLException | RuntimeException e) {
      // Not CheckResult.down(e): the exception's own text is shown with details and may hold the
      // URL or password; only the masked text is kept.
      String error = Failures.text(e, true);
      if (url != null && !url.isEmpty()) {
        error = error.replace(url, label + ":" + Secrets.MASK);
      }
      return CheckResult.down(Failures.clean(label + " connection failed: " + error, password))
          .withDetail("latencyMs", Checks.millisSince(start));
    }
  }

  @Override
  public String description() {
    return url == null ? label : Secrets.redact(Secrets.jdbcUrl(url), password);
  }

  @Override
  public String toString() {
    return "Checks.jdbc(" + label + ")";
  }
}

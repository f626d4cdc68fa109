package dev.probekit.examples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.probekit.core.CheckOptions;
import dev.probekit.core.HealthCheck;
import dev.probekit.core.Probe;
import dev.probekit.core.checks.Checks;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * The demo's connection pool (HikariCP) and the one query {@code GET /} runs through it, with the
 * settings that make an outage cheap: a caller waits at most {@link #CONNECTION_TIMEOUT} for a
 * connection (then {@code GET /} answers 503), the pool starts without the database and refills by
 * itself once it is back, and a connection that failed a query is evicted rather than handed out
 * again.
 */
final class DemoDatabase implements AutoCloseable {
  /** The longest a request waits for a connection: a fast 503, not Hikari's default 30 s. */
  static final Duration CONNECTION_TIMEOUT = Duration.ofMillis(500);

  /** At most this many connections, whatever the load (the server's count stays bounded). */
  static final int MAX_POOL_SIZE = 8;

  /** Readiness: a run every second, DOWN after 2 failures, each run bounded by 1.5 s. */
  static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);

  static final int CHECK_FAILURE_THRESHOLD = 2;
  static final Duration CHECK_TIMEOUT = Duration.ofMillis(1_500);

  /** The {@code application_name} the demo's PostgreSQL sessions carry (pg_stat_activity). */
  static final String APPLICATION_NAME = "probekit-demo";

  private static final int QUERY_TIMEOUT_SECONDS = 2;

  private final HikariDataSource pool;

  DemoDatabase(String url, String user, String password) {
    this(url, user, password, CONNECTION_TIMEOUT);
  }

  DemoDatabase(String url, String user, String password, Duration connectionTimeout) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("demo-db");
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(MAX_POOL_SIZE);
    config.setMinimumIdle(2);
    config.setConnectionTimeout(connectionTimeout.toMillis());
    config.setValidationTimeout(250);
    // Start even when the database is not there (the start-up wait decides about that); the pool
    // fills in the background.
    config.setInitializationFailTimeout(-1);
    if (url.toLowerCase(Locale.ROOT).startsWith("jdbc:postgresql:")) {
      config.addDataSourceProperty("ApplicationName", APPLICATION_NAME);
      // Seconds: a connect or a read that hangs ends instead of holding a pool slot forever.
      config.addDataSourceProperty("connectTimeout", "2");
      config.addDataSourceProperty("socketTimeout", "10");
    }
    pool = new HikariDataSource(config);
  }

  DataSource dataSource() {
    return pool;
  }

  /** The readiness check: a connection from the pool that {@code isValid} confirms. */
  static HealthCheck readinessCheck(DataSource dataSource) {
    return Checks.jdbc(dataSource, Duration.ofSeconds(1));
  }

  /** How the readiness check runs: its period x failure threshold bounds the time to 503. */
  static CheckOptions readinessOptions() {
    return CheckOptions.builder(Probe.READINESS)
        .interval(CHECK_INTERVAL)
        .timeout(CHECK_TIMEOUT)
        .failureThreshold(CHECK_FAILURE_THRESHOLD)
        .build();
  }

  /**
   * Runs {@code SELECT 1} on a pooled connection.
   *
   * @return the database product's name, such as {@code PostgreSQL} or {@code H2}
   * @throws SQLException when no connection comes within the connection timeout or the query fails
   */
  String query() throws SQLException {
    try (Connection connection = pool.getConnection()) {
      try (Statement statement = connection.createStatement()) {
        statement.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
        try (ResultSet rs = statement.executeQuery("SELECT 1")) {
          if (!rs.next() || rs.getInt(1) != 1) {
            throw new SQLException("SELECT 1 returned no 1");
          }
        }
        return connection.getMetaData().getDatabaseProductName();
      } catch (SQLException e) {
        // The connection may be broken (the server went away): never hand it out again.
        pool.evictConnection(connection);
        throw e;
      }
    }
  }

  @Override
  public void close() {
    pool.close();
  }
}

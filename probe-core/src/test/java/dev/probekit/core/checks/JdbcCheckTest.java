package dev.probekit.core.checks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthCheck;
import dev.probekit.core.Status;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against a real H2 in-memory database, created with a password the checks must never show. */
class JdbcCheckTest {
  private static final String URL = "jdbc:h2:mem:probekit_jdbc_check;DB_CLOSE_DELAY=-1";
  private static final String PASSWORD = "s3cret-Pa55";
  private static Connection keepAlive;

  @BeforeAll
  static void createDatabase() throws Exception {
    // The first connection creates the database and its admin user with this password.
    keepAlive = DriverManager.getConnection(URL, "probe", PASSWORD);
  }

  @AfterAll
  static void dropDatabase() throws Exception {
    keepAlive.createStatement().execute("SHUTDOWN");
    keepAlive.close();
  }

  private static void assertNoSecret(CheckResult result, String... secrets) {
    String visible = result.toString() + result.details() + result.error().map(Throwable::toString);
    for (String secret : secrets) {
      assertThat(visible).doesNotContain(secret);
    }
  }

  @Test
  void isUpWhenTheDriverManagerConnectionIsValid() throws Exception {
    HealthCheck check = Checks.jdbc(URL, "probe", PASSWORD);
    CheckResult result = check.check();

    assertThat(result.isUp()).as("%s", result).isTrue();
    assertThat((Long) result.details().get("latencyMs")).isBetween(0L, 2000L);
    assertThat(check.isRemote()).isTrue();
    assertThat(check.toString()).isEqualTo("Checks.jdbc(jdbc:h2)");
  }

  @Test
  void isUpWhenTheDataSourceConnectionIsValid() throws Exception {
    JdbcDataSource dataSource = new JdbcDataSource();
    dataSource.setURL(URL);
    dataSource.setUser("probe");
    dataSource.setPassword(PASSWORD);
    HealthCheck check = Checks.jdbc(dataSource, Duration.ofSeconds(2));

    assertThat(check.check().isUp()).isTrue();
    assertThat(check.isRemote()).isTrue();
  }

  @Test
  void isDownOnAWrongPasswordWithoutShowingEitherPassword() throws Exception {
    String wrong = "not-the-Pa55word";
    CheckResult result = Checks.jdbc(URL, "probe", wrong).check();

    assertThat(result.status()).isEqualTo(Status.DOWN);
    assertThat(result.message().orElseThrow())
        .startsWith("jdbc:h2 connection failed: org.h2.jdbc.JdbcSQLInvalidAuthorizationSpecException");
    assertNoSecret(result, wrong, PASSWORD, "probekit_jdbc_check");
  }

  @Test
  void masksTheUrlAndItsCredentialsWhenTheDriverQuotesIt() throws Exception {
    // DriverManager's "No suitable driver found for <url>" quotes the whole URL.
    String url = "jdbc:nosuchdb://admin:hunter2@db.internal:5432/app?user=admin&password=hunter3";
    CheckResult result = Checks.jdbc(url, "admin", "hunter4").check();

    assertThat(result.status()).isEqualTo(Status.DOWN);
    assertThat(result.message())
        .hasValue("jdbc:nosuchdb connection failed: java.sql.SQLException: No suitable driver"
            + " found for jdbc:nosuchdb:****");
    assertNoSecret(result, "hunter2", "hunter3", "hunter4", "db.internal");
  }

  @Test
  void closesTheConnectionAfterEachRun() throws Exception {
    HealthCheck check = Checks.jdbc(URL, "probe", PASSWORD);
    for (int i = 0; i < 3; i++) {
      assertThat(check.check().isUp()).isTrue();
    }
    // Only the test's own connection is left open in the database.
    try (var rs =
        keepAlive.createStatement().executeQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(1);
    }
  }
}

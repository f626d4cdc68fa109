package dev.probekit.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.probekit.core.waits.Waits;
import dev.probekit.testsupport.ForkedJvm;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link SecretLeakTest} sees what is logged at INFO; this child JVM logs at DEBUG (every failed
 * attempt, every repeated check result) and has no JDBC driver at all on its class path.
 */
class SecretLeakAtDebugTest {
  static final String SECRET = "Zq7-hunter2-S3cr3t";

  @Test
  void nothingTheProcessWritesAtDebugHoldsTheSecret() throws Exception {
    List<String> classpath = ForkedJvm.moduleClasspath("slf4j-api-", "slf4j-simple-", "jackson-core-");
    assertThat(classpath).hasSize(5).noneMatch(entry -> entry.contains("h2"));

    ForkedJvm.Result result =
        ForkedJvm.run(
            classpath,
            List.of("-Xmx64m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=debug"),
            SecretLeakDebugMain.class,
            60);

    assertThat(result.exitCode()).as("%s", result).isZero();
    assertThat(result.output())
        .contains("exception: gave up waiting for 6 dependencies")
        .contains("DEBUG dev.probekit.core.waits.Waits - db-2 (jdbc:oracle:thin:****@db.internal:1521/app): attempt 1 failed: "
            + "jdbc:oracle connection failed: java.sql.SQLException: No suitable driver found for jdbc:oracle:****")
        .contains("DEBUG dev.probekit.core.HealthRegistry - check 'jdbc-4' still DOWN: CheckResult{DOWN, message=jdbc:h2 connection failed")
        .contains("INFO dev.probekit.core.waits.Waits - still waiting for db-1 (jdbc:mysql://****@db.internal:3306/app)")
        .contains("[-]http failed: GET http://127.0.0.1:")
        .contains("\"message\":\"jdbc:sqlserver connection failed: java.sql.SQLException: No suitable driver");
    assertThat(result.output()).as("%s", result).doesNotContain(SECRET).doesNotContain("hunter2");
  }
}

package dev.probekit.it.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where {@link PostgresServer} finds PostgreSQL, and what it says when it cannot. */
class PostgresServerTest {
  @TempDir Path root;

  @Test
  void picksTheNewestDebianVersionWithBothTools() throws IOException {
    tools(root.resolve("9.6/bin"));
    tools(root.resolve("15/bin"));
    tools(root.resolve("16/bin"));
    Files.createDirectories(root.resolve("17/bin")); // no tools: an upgrade half done

    assertThat(PostgresServer.binaries(root, "")).contains(root.resolve("16/bin"));
  }

  @Test
  void fallsBackToPathThenToNothing() throws IOException {
    Path onPath = root.resolve("elsewhere");
    tools(onPath);
    Path none = root.resolve("no-debian-root");

    assertThat(PostgresServer.binaries(none, "/nonexistent::" + onPath)).contains(onPath);
    assertThat(PostgresServer.binaries(none, "/nonexistent")).isEmpty();
  }

  @Test
  void missingBinariesSayHowToInstallThem() {
    assertThat(PostgresServer.INSTALL_HINT)
        .contains("PostgreSQL is not installed")
        .contains("bash .ci/install-postgresql");
    assertThat(Path.of("../.ci/install-postgresql")).isExecutable();
    assertThat(Path.of("../.ci/run")).content().contains("bash .ci/install-postgresql");
  }

  private static void tools(Path bin) throws IOException {
    Files.createDirectories(bin);
    for (String tool : new String[] {"initdb", "pg_ctl"}) {
      Files.createFile(bin.resolve(tool), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    }
  }
}

package dev.probekit.core.checks;

import dev.probekit.core.CheckResult;
import dev.probekit.core.internal.DependencyCheck;
import dev.probekit.core.internal.Durations;
import dev.probekit.core.internal.Failures;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/** UP when a TCP connection to a host and port opens within a timeout. Remote. */
final class TcpCheck implements DependencyCheck {
  private final String host;
  private final int port;
  private final Duration timeout;

  TcpCheck(String host, int port, Duration timeout) {
    this.host = host;
    this.port = port;
    this.timeout = timeout;
  }

  @Override
  public CheckResult check() {
    long start = System.nanoTime();
    try {
      return attempt(timeout);
    } catch (IOException e) {
      return CheckResult.down(
              "cannot connect to "
                  + host
                  + ':'
                  + port
                  + " within "
                  + Durations.format(timeout)
                  + ": "
                  + Failures.describe(e))
          .withDetail("latencyMs", Checks.millisSince(start));
    }
  }

  @Override
  public CheckResult attempt(Duration timeout) throws IOException {
    long start = System.nanoTime();
    try (Socket socket = new Socket()) {
      // Resolved on every run: a Service's address may change while the process lives.
      socket.connect(new InetSocketAddress(host, port), Checks.timeoutMillis(timeout));
      return CheckResult.up().withDetail("latencyMs", Checks.millisSince(start));
    }
  }

  @Override
  public String description() {
    return "tcp " + host + ":" + port;
  }

  @Override
  public String toString() {
    return "Checks.tcp(" + host + ", " + port + ")";
  }
}

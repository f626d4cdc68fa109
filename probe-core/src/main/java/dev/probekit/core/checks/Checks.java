package dev.probekit.core.checks;

import dev.probekit.core.DetailsPolicy;
import dev.probekit.core.HealthCheck;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.internal.Secrets;
import dev.probekit.core.internal.Ticker;
import java.net.URI;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * The usual health checks, ready to register.
 *
 * <pre>{@code
 * health.register("deadlocks", Checks.deadlocks(), CheckOptions.of(Probe.LIVENESS));
 * health.register("heap", Checks.heapAfterGc(0.9), CheckOptions.of(Probe.LIVENESS));
 * health.register("db", Checks.jdbc(dataSource), CheckOptions.of(Probe.READINESS));
 * }</pre>
 *
 * <p>Local checks look only at this process and may decide liveness. Remote checks reach another
 * system; their {@link HealthCheck#isRemote()} is {@code true}, so registering one on {@link
 * Probe#LIVENESS} logs a warning: when that system is down, restarting every pod does not help.
 *
 * <table>
 *   <caption>Built-in checks</caption>
 *   <tr><th>check</th><th>kind</th><th>belongs on</th></tr>
 *   <tr><td>{@link #deadlocks()}</td><td>local</td><td>liveness</td></tr>
 *   <tr><td>{@link #watchdog(String, Duration)}</td><td>local</td><td>liveness</td></tr>
 *   <tr><td>{@link #heapAfterGc(double)}</td><td>local</td><td>liveness or readiness</td></tr>
 *   <tr><td>{@link #diskSpace(Path, long)}</td><td>local</td><td>readiness</td></tr>
 *   <tr><td>{@link #tcp(String, int)}</td><td>remote</td><td>readiness, startup; never liveness</td></tr>
 *   <tr><td>{@link #http(URI)}</td><td>remote</td><td>readiness, startup; never liveness</td></tr>
 *   <tr><td>{@link #jdbc(DataSource)}</td><td>remote</td><td>readiness, startup; never liveness</td></tr>
 * </table>
 *
 * <p>Results carry details (latency, free bytes, status code...) shown only when the {@link
 * DetailsPolicy} allows. No check puts a password or a full connection string in its message or
 * details.
 */
public final class Checks {

  /**
   * Default timeout of the remote checks' own connect, request or validation step: 1 s, below
   * {@link HealthRegistry#DEFAULT_TIMEOUT} so that the check reports what was slow before the run times
   * out.
   */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);

  private Checks() {}

  /**
   * DOWN while threads are deadlocked, on monitors or on {@code java.util.concurrent} locks
   * ({@code ThreadMXBean.findDeadlockedThreads}). The message names each thread, the lock it waits
   * for and its holder; details hold {@code count} and {@code threads}. Local: a deadlock only
   * clears with a restart, so this belongs on liveness.
   *
   * <p>Finding deadlocks briefly pauses the JVM at a safepoint; run it every few seconds, not in a
   * tight loop.
   *
   * @return the check
   */
  public static HealthCheck deadlocks() {
    return DeadlockCheck.create();
  }

  /**
   * A heartbeat the application {@linkplain Watchdog#tick() ticks} from a loop that must keep
   * going; DOWN once it has not ticked for longer than {@code maxSilence}. Details hold {@code
   * silenceMs}. Local.
   *
   * @param name names the loop in messages
   * @param maxSilence the longest silence that is still UP
   * @return the watchdog, a check to register; not yet ticked, so its silence counts from now
   * @throws IllegalArgumentException if {@code maxSilence} is not positive
   */
  public static Watchdog watchdog(String name, Duration maxSilence) {
    return watchdog(name, maxSilence, Ticker.system());
  }

  /**
   * {@link #watchdog(String, Duration)} measuring time with {@code ticker}: a test hook, so
   * package-private.
   *
   * @param name names the loop in messages
   * @param maxSilence the longest silence that is still UP
   * @param ticker the time source
   * @return the watchdog, a check to register
   * @throws IllegalArgumentException if {@code maxSilence} is not positive
   */
  static Watchdog watchdog(String name, Duration maxSilence, Ticker ticker) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(ticker, "ticker");
    return new DefaultWatchdog(name, positive("maxSilence", maxSilence), ticker);
  }

  /**
   * DOWN when the old-generation heap pool is fuller than {@code threshold} right after its last
   * collection ({@code MemoryPoolMXBean.getCollectionUsage()}): the live data, not the garbage
   * that any busy heap holds between collections. UP before the first collection, and UP with a
   * message when the collector has no old-generation pool. Details hold {@code pool}, {@code
   * usedAfterGcBytes}, {@code maxBytes} and {@code occupancy}. Local.
   *
   * @param threshold the highest occupancy that is still UP, above 0 and at most 1, such as 0.9
   * @return the check
   * @throws IllegalArgumentException if {@code threshold} is out of range
   */
  public static HealthCheck heapAfterGc(double threshold) {
    if (!(threshold > 0 && threshold <= 1)) {
      throw new IllegalArgumentException("threshold: " + threshold + " (expected: > 0 and <= 1)");
    }
    return HeapAfterGcCheck.create(threshold);
  }

  /**
   * DOWN when the file store holding {@code path} has less than {@code minFreeBytes} usable space,
   * or when {@code path} does not exist. Details hold {@code freeBytes}, {@code totalBytes} and
   * {@code minFreeBytes}. Local; a full volume is rarely fixed by a restart, so it belongs on
   * readiness.
   *
   * @param path any path on the volume to watch
   * @param minFreeBytes the least usable space that is still UP
   * @return the check
   * @throws IllegalArgumentException if {@code minFreeBytes} is negative
   */
  public static HealthCheck diskSpace(Path path, long minFreeBytes) {
    Objects.requireNonNull(path, "path");
    if (minFreeBytes < 0) {
      throw new IllegalArgumentException("minFreeBytes: " + minFreeBytes + " (expected: >= 0)");
    }
    return new DiskSpaceCheck(path, minFreeBytes);
  }

  /**
   * UP when a TCP connection to {@code host:port} opens within {@link #DEFAULT_TIMEOUT}. Details
   * hold {@code latencyMs}. Remote.
   *
   * @param host a host name or address, resolved on every run
   * @param port 1 to 65535
   * @return the check
   * @throws IllegalArgumentException if the port is out of range
   */
  public static HealthCheck tcp(String host, int port) {
    return tcp(host, port, DEFAULT_TIMEOUT);
  }

  /**
   * UP when a TCP connection to {@code host:port} opens within {@code connectTimeout}. Details hold
   * {@code latencyMs}. Remote.
   *
   * @param host a host name or address, resolved on every run
   * @param port 1 to 65535
   * @param connectTimeout the longest wait for the connection
   * @return the check
   * @throws IllegalArgumentException if the port is out of range or the timeout not positive
   */
  public static HealthCheck tcp(String host, int port, Duration connectTimeout) {
    Objects.requireNonNull(host, "host");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
    }
    return new TcpCheck(host, port, positive("connectTimeout", connectTimeout));
  }

  /**
   * UP when a GET of {@code uri} answers 2xx or 3xx within {@link #DEFAULT_TIMEOUT}. Details hold
   * {@code statusCode} and {@code latencyMs}. Remote.
   *
   * @param uri an {@code http} or {@code https} URI; messages show it without user-info or query
   * @return the check
   * @throws IllegalArgumentException if the URI is not absolute http(s) with a host
   */
  public static HealthCheck http(URI uri) {
    return http(uri, DEFAULT_TIMEOUT);
  }

  /**
   * UP when a GET of {@code uri} answers 2xx or 3xx within {@code timeout}, which bounds both the
   * connect and the wait for the response headers. Redirects are not followed and the body is not
   * read. Uses {@code java.net.http} over HTTP/1.1. Details hold {@code statusCode} and {@code
   * latencyMs}. Remote.
   *
   * @param uri an {@code http} or {@code https} URI; messages show it without user-info or query
   * @param timeout the longest wait
   * @return the check
   * @throws IllegalArgumentException if the URI is not absolute http(s) with a host, or the timeout
   *     not positive
   */
  public static HealthCheck http(URI uri, Duration timeout) {
    Objects.requireNonNull(uri, "uri");
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "uri: " + Secrets.redact(uri.toString()) + " (expected: http or https with a host)");
    }
    return new HttpCheck(uri, positive("timeout", timeout));
  }

  /**
   * UP when {@code dataSource} gives a connection that {@link java.sql.Connection#isValid(int)}
   * confirms within {@link #DEFAULT_TIMEOUT}; the connection is closed (returned to its pool)
   * after each run. Details hold {@code latencyMs}. Remote.
   *
   * @param dataSource the application's data source
   * @return the check
   */
  public static HealthCheck jdbc(DataSource dataSource) {
    return jdbc(dataSource, DEFAULT_TIMEOUT);
  }

  /**
   * {@link #jdbc(DataSource)} with a validation timeout, rounded up to whole seconds.
   *
   * @param dataSource the application's data source
   * @param timeout the longest wait for validation
   * @return the check
   * @throws IllegalArgumentException if the timeout is not positive
   */
  public static HealthCheck jdbc(DataSource dataSource, Duration timeout) {
    Objects.requireNonNull(dataSource, "dataSource");
    return new JdbcCheck(
        "jdbc", dataSource::getConnection, positive("timeout", timeout), null, null);
  }

  /**
   * UP when {@link DriverManager} opens a connection to {@code url} that {@link
   * java.sql.Connection#isValid(int)} confirms within {@link #DEFAULT_TIMEOUT}; a new connection
   * each run, closed at once. The driver is the application's. Messages name the database only as
   * {@code jdbc:<subprotocol>} and never show the password or the URL. Details hold {@code
   * latencyMs}. Remote.
   *
   * @param url the JDBC URL
   * @param user the user, may be {@code null}
   * @param password the password, may be {@code null}
   * @return the check
   */
  public static HealthCheck jdbc(String url, String user, String password) {
    return jdbc(url, user, password, DEFAULT_TIMEOUT);
  }

  /**
   * {@link #jdbc(String, String, String)} with a validation timeout, rounded up to whole seconds.
   * The connect itself is bounded by the driver's own settings (such as {@code connectTimeout} in
   * the URL) and by the check's run timeout.
   *
   * @param url the JDBC URL
   * @param user the user, may be {@code null}
   * @param password the password, may be {@code null}
   * @param timeout the longest wait for validation
   * @return the check
   * @throws IllegalArgumentException if the timeout is not positive
   */
  public static HealthCheck jdbc(String url, String user, String password, Duration timeout) {
    Objects.requireNonNull(url, "url");
    Properties properties = new Properties();
    if (user != null) {
      properties.setProperty("user", user);
    }
    if (password != null) {
      properties.setProperty("password", password);
    }
    return new JdbcCheck(
        Secrets.jdbcPrefix(url),
        () -> DriverManager.getConnection(url, properties),
        positive("timeout", timeout),
        url,
        password);
  }

  static int timeoutMillis(Duration timeout) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
  }

  static long millisSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  private static Duration positive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
    }
    return value;
  }
}

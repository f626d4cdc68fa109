package dev.probekit.core.checks;

import dev.probekit.core.CheckResult;
import dev.probekit.core.internal.DependencyCheck;
import dev.probekit.core.internal.Durations;
import dev.probekit.core.internal.Failures;
import dev.probekit.core.internal.Secrets;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * UP when a GET answers 2xx or 3xx within a timeout. Redirects are not followed (a 3xx means the
 * server is up), and the body is not read. Remote.
 */
final class HttpCheck implements DependencyCheck {
  private final URI uri;
  private final Duration timeout;
  /** What messages show: no user-info, query or fragment, which may carry credentials. */
  private final String display;
  private volatile HttpClient client;

  HttpCheck(URI uri, Duration timeout) {
    this.uri = uri;
    this.timeout = timeout;
    this.display = display(uri);
  }

  @Override
  public CheckResult check() throws InterruptedException {
    long start = System.nanoTime();
    try {
      return attempt(timeout);
    } catch (HttpTimeoutException e) {
      return CheckResult.down("GET " + display + " timed out after " + Durations.format(timeout))
          .withDetail("latencyMs", Checks.millisSince(start));
    } catch (IOException e) {
      return CheckResult.down("GET " + display + " failed: " + Failures.describe(e))
          .withDetail("latencyMs", Checks.millisSince(start));
    }
  }

  @Override
  public CheckResult attempt(Duration timeout) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header("User-Agent", "probekit-health-check")
            .GET()
            .build();
    long start = System.nanoTime();
    HttpResponse<InputStream> response =
        client(timeout).send(request, HttpResponse.BodyHandlers.ofInputStream());
    long latency = Checks.millisSince(start);
    // Closing without reading drops the connection instead of waiting for a large or slow body.
    response.body().close();
    int code = response.statusCode();
    CheckResult result =
        code >= 200 && code < 400
            ? CheckResult.up()
            : CheckResult.down("GET " + display + " answered HTTP " + code);
    return result.withDetail("statusCode", code).withDetail("latencyMs", latency);
  }

  /** The client, built on first use with that run's timeout as its connect timeout. */
  private HttpClient client(Duration timeout) {
    HttpClient c = client;
    if (c == null) {
      synchronized (this) {
        c = client;
        if (c == null) {
          // Built on first use: the client starts a selector thread (a daemon) at once.
          c =
              HttpClient.newBuilder()
                  .connectTimeout(timeout)
                  .followRedirects(HttpClient.Redirect.NEVER)
                  // Plain HTTP/1.1: no h2c upgrade dance with health endpoints.
                  .version(HttpClient.Version.HTTP_1_1)
                  .build();
          client = c;
        }
      }
    }
    return c;
  }

  @Override
  public String description() {
    return "GET " + display;
  }

  /** Scheme, host, port and path: never user-info, query or fragment; masked all the same. */
  static String display(URI uri) {
    StringBuilder sb = new StringBuilder().append(uri.getScheme()).append("://");
    sb.append(uri.getHost());
    if (uri.getPort() >= 0) {
      sb.append(':').append(uri.getPort());
    }
    String path = uri.getRawPath();
    sb.append(path == null || path.isEmpty() ? "/" : path);
    return Secrets.redact(sb.toString());
  }

  @Override
  public String toString() {
    return "Checks.http(" + display + ")";
  }
}

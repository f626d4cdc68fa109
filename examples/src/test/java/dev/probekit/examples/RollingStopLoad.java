package dev.probekit.examples;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * What a pod sees during a rolling update, against one demo process: keep-alive clients sending
 * continuous load through a "load balancer" that health-checks {@code /readyz} every 10 ms and
 * stops routing to the pod {@link #BALANCER_LAG} after it first sees readiness fail (a real
 * balancer or kube-proxy takes a few seconds; the demo's pre-stop delay in these tests is 1 s),
 * plus a few slow requests in flight when SIGTERM arrives.
 *
 * <p>Every request is accounted for: a non-200 answer or an I/O error is a failure.
 */
final class RollingStopLoad {
  /** How long after readiness first fails the balancer still sends new requests. */
  static final Duration BALANCER_LAG = Duration.ofMillis(300);

  private static final int CLIENTS = 4;
  private static final String LOAD_PATH = "/work?ms=5";

  private final DemoProcess demo;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final AtomicLong notReadyAt = new AtomicLong();
  private final AtomicLong readiness503At = new AtomicLong();
  private final AtomicLong lastProbeAnswerAt = new AtomicLong();
  private final AtomicInteger ok = new AtomicInteger();
  private final AtomicInteger okAfterSignal = new AtomicInteger();
  private final AtomicInteger sentAfterNotReady = new AtomicInteger();
  private final AtomicInteger keptAliveAfterNotReady = new AtomicInteger();
  private final List<String> failures = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private volatile long signalAt = Long.MAX_VALUE;

  RollingStopLoad(DemoProcess demo) {
    this.demo = demo;
  }

  /** The outcome of one run. */
  static final class Result {
    int ok;
    int okAfterSignal;
    /** Requests sent after readiness was seen failing (the balancer's lag). */
    int sentAfterNotReady;
    /** Of those, answers without {@code Connection: close}: the server should send it now. */
    int keptAliveAfterNotReady;
    List<String> failures;
    int slowOk;
    List<String> slowFailures;
    long readiness503AfterMillis = -1;
    long exitAfterMillis = -1;
    int exitCode = -1;
    /** The last answer from the probe server, after the signal; -1 if none. */
    long lastProbeAnswerAfterMillis = -1;

    @Override
    public String toString() {
      return "ok="
          + ok
          + " okAfterSignal="
          + okAfterSignal
          + " sentAfterNotReady="
          + sentAfterNotReady
          + " keptAliveAfterNotReady="
          + keptAliveAfterNotReady
          + " failed="
          + failures.size()
          + " slowOk="
          + slowOk
          + " slowFailed="
          + slowFailures.size()
          + " readiness503AfterMs="
          + readiness503AfterMillis
          + " exitCode="
          + exitCode
          + " exitAfterMs="
          + exitAfterMillis
          + " lastProbeAnswerAfterMs="
          + lastProbeAnswerAfterMillis;
    }
  }

  /**
   * Starts the load, puts {@code slow} requests of {@code slowMillis} in flight, sends SIGTERM
   * and waits for the process to exit.
   */
  Result run(int slow, long slowMillis) throws Exception {
    String app = "http://127.0.0.1:" + demo.appPort();
    String probe = "http://127.0.0.1:" + demo.probePort();
    HttpClient control = client();
    await("demo ready")
        .atMost(Duration.ofSeconds(15))
        .until(() -> status(control, probe + "/readyz") == 200);

    startThread("balancer-health-check", () -> pollReadiness(probe));
    for (int i = 0; i < CLIENTS; i++) {
      HttpClient client = client(); // its own pool of keep-alive connections
      startThread("client-" + i, () -> sendLoad(client, app + LOAD_PATH));
    }
    await("load flowing").atMost(Duration.ofSeconds(10)).until(() -> ok.get() >= 50);

    HttpClient slowClient = client();
    List<CompletableFuture<HttpResponse<String>>> slowRequests = new ArrayList<>();
    for (int i = 0; i < slow; i++) {
      slowRequests.add(
          slowClient.sendAsync(
              HttpRequest.newBuilder(URI.create(app + "/work?ms=" + slowMillis))
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    await("slow requests in flight")
        .atMost(Duration.ofSeconds(10))
        .until(() -> body(control, app + "/stats").contains(" slow=" + slow + " "));

    signalAt = System.nanoTime();
    demo.process.destroy(); // SIGTERM
    boolean exited = demo.process.waitFor(30, TimeUnit.SECONDS);
    long exitAt = System.nanoTime();

    Result result = new Result();
    result.slowFailures = new ArrayList<>();
    for (CompletableFuture<HttpResponse<String>> f : slowRequests) {
      try {
        HttpResponse<String> response = f.get(10, TimeUnit.SECONDS);
        if (response.statusCode() == 200 && response.body().equals("worked " + slowMillis + " ms\n")) {
          result.slowOk++;
        } else {
          result.slowFailures.add(response.statusCode() + " " + response.body());
        }
      } catch (ExecutionException | TimeoutException e) {
        result.slowFailures.add(String.valueOf(e.getCause() == null ? e : e.getCause()));
      }
    }
    stop.set(true);
    for (Thread t : threads) {
      t.join(5_000);
    }
    result.ok = ok.get();
    result.okAfterSignal = okAfterSignal.get();
    result.sentAfterNotReady = sentAfterNotReady.get();
    result.keptAliveAfterNotReady = keptAliveAfterNotReady.get();
    result.failures = List.copyOf(failures);
    if (readiness503At.get() != 0) {
      result.readiness503AfterMillis = Math.max(0, (readiness503At.get() - signalAt) / 1_000_000);
    }
    if (exited) {
      result.exitCode = demo.process.exitValue();
      result.exitAfterMillis = (exitAt - signalAt) / 1_000_000;
    }
    if (lastProbeAnswerAt.get() > signalAt) {
      result.lastProbeAnswerAfterMillis = (lastProbeAnswerAt.get() - signalAt) / 1_000_000;
    }
    return result;
  }

  /** The balancer's health check: fast polling of /readyz, recording when it first fails. */
  private void pollReadiness(String probe) {
    HttpClient client = client();
    while (!stop.get()) {
      int status;
      try {
        status = status(client, probe + "/readyz");
        lastProbeAnswerAt.set(System.nanoTime());
      } catch (IOException e) {
        status = -1; // refused or reset: the pod is gone, which a balancer also counts as failed
      } catch (InterruptedException e) {
        return;
      }
      long now = System.nanoTime();
      if (status != 200) {
        notReadyAt.compareAndSet(0, now);
      }
      if (status == 503 && now >= signalAt) {
        readiness503At.compareAndSet(0, now);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // the balancer's check interval
    }
  }

  /** One keep-alive client: request after request until the balancer stops routing here. */
  private void sendLoad(HttpClient client, String url) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build();
    long lagNanos = BALANCER_LAG.toNanos();
    while (!stop.get()) {
      long seenDown = notReadyAt.get();
      long sentAt = System.nanoTime();
      if (seenDown != 0 && sentAt - seenDown > lagNanos) {
        return; // the balancer has taken this pod out of rotation
      }
      if (seenDown != 0) {
        sentAfterNotReady.incrementAndGet();
      }
      try {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          ok.incrementAndGet();
          if (sentAt > signalAt) {
            okAfterSignal.incrementAndGet();
          }
          if (seenDown != 0 && !response.headers().firstValue("Connection").orElse("").equalsIgnoreCase("close")) {
            keptAliveAfterNotReady.incrementAndGet();
          }
        } else {
          failures.add("HTTP " + response.statusCode() + " " + response.body().trim());
        }
      } catch (IOException e) {
        failures.add(e.toString());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void startThread(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    threads.add(t);
    t.start();
  }

  private static HttpClient client() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2))
        .build();
  }

  static int status(HttpClient client, String url) throws IOException, InterruptedException {
    return client
        .send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(1)).build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  static String body(HttpClient client, String url) throws IOException, InterruptedException {
    return client
        .send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }
}

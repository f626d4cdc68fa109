package dev.probekit.it.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Throws at least {@value #REQUESTS} generated malformed requests over raw sockets at a server that
 * serves the probe contract. The only acceptable outcomes are the statuses in {@link #ALLOWED} or
 * a closed connection; never another 5xx, never a stack trace or exception text in a body; after
 * the run the server still answers {@code /livez} and no thread or file descriptor leaked.
 *
 * <p>Seeded: the seed is printed, and {@code -Dprobekit.fuzz.seed=N} replays a run. Subclasses start
 * the server under test.
 */
abstract class MalformedRequestFuzzTest {
  static final int REQUESTS = 10_000;
  static final Set<Integer> ALLOWED = Set.of(200, 400, 404, 405, 414, 431, 503);
  /** Interim answers a server may send before the final one (100 Continue for Expect). */
  static final Set<Integer> INTERIM = Set.of(100);
  private static final List<String> LEAKS =
      List.of("Exception", "\tat ", "at java.", "at dev.probekit", "Caused by", "java.lang.", "Error:",
          "secret");
  private static final int CLIENTS = 4;
  private static final Duration BUDGET = Duration.ofSeconds(75);

  private InetSocketAddress address;

  /** Starts the server under test on 127.0.0.1 and a free port, serving the probe contract. */
  protected abstract InetSocketAddress start() throws Exception;

  /** Stops it. */
  protected abstract void stop() throws Exception;

  /** A name for the printed summary. */
  protected abstract String target();

  /**
   * Answers the server under test gives before any of our code runs, which we cannot change and
   * accept as documented exceptions: each is counted and printed separately. None by default.
   */
  protected List<KnownRejection> knownRejections() {
    return List.of();
  }

  /**
   * Statuses the server (a servlet container, say) answers by itself at the protocol level, before
   * any Probekit code runs, such as 505 for an unsupported HTTP version, 501 for an unknown
   * transfer coding or 426 for an upgrade it refuses. Probekit never answers them ({@code
   * ProbeEndpoints} answers only the allowed set), so they are accepted, counted and printed as
   * the server's own. None by default.
   */
  protected Set<Integer> protocolStatuses() {
    return Set.of();
  }

  /**
   * Whether the server answers a request line it cannot parse up to a valid {@code HTTP/1.x}
   * version the HTTP/0.9 way: a body without a status line (Tomcat does). Such answers are still
   * checked for leaks.
   */
  protected boolean answersHttp09() {
    return false;
  }

  /**
   * A fixed answer of the server itself to some malformed input.
   *
   * @param label for the summary
   * @param status its status
   * @param body its exact body
   */
  record KnownRejection(String label, int status, String body) {}

  @BeforeEach
  void startServer() throws Exception {
    address = start();
  }

  @AfterEach
  void stopServer() throws Exception {
    stop();
  }

  @Test
  void answersMalformedRequestsOnlyWithAllowedStatusesAndLeaksNothing() throws Exception {
    long seed = Long.getLong("probekit.fuzz.seed", System.nanoTime());
    System.out.printf("[fuzz %s] seed %d (replay with -Dprobekit.fuzz.seed=%d)%n", target(), seed, seed);

    // Warm up so lazily created server threads and connections exist before the baseline.
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    List<Future<?>> warm = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      warm.add(clients.submit(() -> RawHttp.send(address, RawHttp.get("/livez"), 3000)));
    }
    for (Future<?> f : warm) {
      f.get(10, TimeUnit.SECONDS);
    }
    int threadsBefore = threads().getThreadCount();
    long fdsBefore = openFds();

    Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger completed = new AtomicInteger();
    long deadline = System.nanoTime() + BUDGET.toNanos();
    long t0 = System.nanoTime();
    List<Future<?>> runs = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      long clientSeed = seed + c;
      runs.add(
          clients.submit(
              () -> {
                MalformedRequests generator = new MalformedRequests(clientSeed);
                int index;
                while ((index = sent.getAndIncrement()) < REQUESTS
                    && System.nanoTime() < deadline
                    && failures.size() < 20) {
                  MalformedRequests.Request request = generator.next(index);
                  RawHttp.Exchange exchange = RawHttp.send(address, request.bytes(), 3000);
                  String problem = judge(exchange, outcomes);
                  if (problem != null) {
                    failures.add(
                        "client seed " + clientSeed + " request " + index + " (" + request.kind() + "): "
                            + problem + "\n  request: " + preview(request.bytes()) + "\n  answer: "
                            + preview(exchange.text()));
                  }
                  outcomes.computeIfAbsent(outcome(exchange), k -> new LongAdder()).increment();
                  completed.incrementAndGet();
                }
                return null;
              }));
    }
    for (Future<?> run : runs) {
      run.get(BUDGET.toSeconds() + 30, TimeUnit.SECONDS);
    }
    clients.shutdown();
    assertThat(clients.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
    long total = completed.get();
    Map<String, Long> sorted = new TreeMap<>();
    outcomes.forEach((k, v) -> sorted.put(k, v.sum()));
    System.out.printf("[fuzz %s] %d requests in %d ms, outcomes (status per answer, known: = the server's own rejections) %s%n", target(), total, elapsedMs, sorted);

    assertThat(failures).as("seed " + seed).isEmpty();
    assertThat(total).as("requests sent within %s", BUDGET).isGreaterThanOrEqualTo(REQUESTS);

    // Still healthy, and everything the run opened is gone again.
    RawHttp.Exchange livez = RawHttp.send(address, RawHttp.get("/livez"), 1000);
    assertThat(livez.statuses()).containsExactly(200);
    assertThat(livez.text()).endsWith("ok");
    await("threads back to the baseline of " + threadsBefore)
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> threads().getThreadCount() <= threadsBefore + 2);
    await("file descriptors back to the baseline of " + fdsBefore)
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> openFds() <= fdsBefore + 4);
    System.out.printf(
        "[fuzz %s] threads %d -> %d, open fds %d -> %d%n",
        target(), threadsBefore, threads().getThreadCount(), fdsBefore, openFds());
  }

  /** Null when the exchange is acceptable, else what is wrong with it. */
  private String judge(RawHttp.Exchange exchange, Map<String, LongAdder> outcomes) {
    if (exchange.timedOut()) {
      return "neither answered nor closed the connection in time";
    }
    if (exchange.statuses().isEmpty() && !exchange.text().isEmpty()) {
      if (!answersHttp09()) {
        return "answered something that is not HTTP";
      }
      outcomes.computeIfAbsent("protocol:http0.9", k -> new LongAdder()).increment();
    }
    List<KnownRejection> known = knownRejections();
    // Take the server's own documented rejections out before judging the rest.
    String text = exchange.text();
    List<Integer> statuses = new ArrayList<>(exchange.statuses());
    for (KnownRejection rejection : known) {
      int at;
      while ((at = text.indexOf(rejection.body())) >= 0) {
        text = text.substring(0, at) + text.substring(at + rejection.body().length());
        statuses.remove(Integer.valueOf(rejection.status()));
        outcomes.computeIfAbsent("known:" + rejection.label(), k -> new LongAdder()).increment();
      }
    }
    for (int status : statuses) {
      if (protocolStatuses().contains(status)) {
        outcomes.computeIfAbsent("protocol:" + status, k -> new LongAdder()).increment();
        continue;
      }
      if (!ALLOWED.contains(status) && !INTERIM.contains(status)) {
        return "status " + status;
      }
    }
    for (String leak : LEAKS) {
      if (text.contains(leak)) {
        return "body contains '" + leak.strip() + "'";
      }
    }
    return null;
  }

  private static String outcome(RawHttp.Exchange exchange) {
    List<Integer> finals = exchange.statuses().stream().filter(s -> !INTERIM.contains(s)).toList();
    return finals.isEmpty() ? "closed" : finals.stream().map(String::valueOf).reduce((a, b) -> a + "+" + b).get();
  }

  private static String preview(byte[] bytes) {
    return preview(new String(bytes, 0, Math.min(bytes.length, 300), java.nio.charset.StandardCharsets.ISO_8859_1));
  }

  private static String preview(String text) {
    String s = text.length() > 300 ? text.substring(0, 300) + "...(" + text.length() + " chars)" : text;
    return s.replace("\r", "\\r").replace("\n", "\\n").replace("\u0000", "\\0");
  }

  static ThreadMXBean threads() {
    return ManagementFactory.getThreadMXBean();
  }

  static long openFds() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    return os instanceof UnixOperatingSystemMXBean unix ? unix.getOpenFileDescriptorCount() : 0;
  }
}

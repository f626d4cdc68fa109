package dev.probekit.it.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile clients against one server that serves the probe contract, while a kubelet-style prober
 * ({@link Kubelet}: fresh connection every 100 ms, 1 s timeout) must see every {@code /livez}
 * answered 200 {@code ok}; each scenario prints the probes' p50/p99. One subclass per server we
 * ship, like the contract kit; where a server cannot meet a line, its subclass says so by
 * overriding a hook, and the suite asserts the weaker property it does meet (see
 * docs/hostile-clients.md).
 *
 * <ul>
 *   <li>slowloris: 2, 20 and 200 connections that send one byte then nothing, and as many that
 *       send one byte per second;
 *   <li>reopen: two new one-byte connections every 100 ms;
 *   <li>flood: clients that pipeline {@code GET /livez} and never read, against the server in a
 *       child JVM with a 64 MB heap (and 32 MB of direct memory): it must not run out of memory;
 *   <li>10,000 short connections: threads and file descriptors back to their baseline;
 *   <li>a seeded fuzz of 10,000 raw requests: only the contract's statuses (or a closed
 *       connection), no exception text, canonical header names, {@code /livez} 200 afterwards.
 * </ul>
 */
abstract class HostileClientSuite {
  /** The contract's statuses: the only ones a probe server may answer. */
  static final Set<Integer> CONTRACT = Set.of(200, 400, 404, 405, 413, 414, 431, 503, 505);
  /** Interim answers a server may send before the final one (100 Continue for Expect). */
  static final Set<Integer> INTERIM = Set.of(100);
  static final int FUZZ_REQUESTS = 10_000;
  static final int SHORT_CONNECTIONS = 10_000;
  /**
   * Most direct memory the flood may cost: a server that keeps reading a client that does not
   * read reached 15 MB within the scenario's 3 s (Netty without backpressure); bounded servers
   * stay near 1 MB.
   */
  static final long MAX_FLOOD_DIRECT_BYTES = 8L << 20;
  /** How long the kubelet probes during each attack. */
  static final Duration PROBING = Duration.ofSeconds(2);
  private static final List<String> LEAKS =
      List.of("Exception", "\tat ", "at java.", "at dev.probekit", "Caused by", "java.lang.",
          "Error:", "secret");
  private static final Pattern STATUS_LINE = Pattern.compile("(?m)^HTTP/\\d(?:\\.\\d)? (\\d{3})");
  private static final byte[] ONE_BYTE = {'G'};

  private Target.Running server;
  private InetSocketAddress address;
  private final List<Socket> attackers = new CopyOnWriteArrayList<>();

  /** The server under attack. */
  protected abstract Target target();

  /**
   * The server's deadline for a request head from its first byte, if it has one: slowloris
   * connections must then be closed within it (plus slack). Servlet containers and a plain Netty
   * pipeline have none (their idle timeouts restart with every byte); for them the suite asserts
   * only that every probe is answered while the connections stay open.
   */
  protected Optional<Duration> requestHeadDeadline() {
    return Optional.empty();
  }

  /**
   * Statuses outside the contract that the server answers by itself at the protocol level, before
   * any Probekit code runs (a container's 417, 426 or 501): counted and printed, still checked for
   * leaks and header case. None by default.
   */
  protected Set<Integer> containerStatuses() {
    return Set.of();
  }

  /**
   * Whether the server answers a request line it cannot parse the HTTP/0.9 way, with a body and no
   * status line (Tomcat does). Such answers are still checked for leaks.
   */
  protected boolean answersHttp09() {
    return false;
  }

  /**
   * Threads the server may still hold, over its baseline, once 10,000 short connections are done.
   * Ours start none per connection: 2 for noise. A container whose pool keeps the threads it grew
   * until an idle timeout longer than the scenario overrides it with its measured bound.
   */
  protected int extraThreadsAfterShortConnections() {
    return 2;
  }

  /** JVM options of the flood scenario's child JVM. */
  protected List<String> floodJvmArgs() {
    return List.of("-Xmx64m", "-XX:MaxDirectMemorySize=32m");
  }

  private String name() {
    return target().name();
  }

  @BeforeEach
  void startServer() throws Exception {
    server = target().start();
    address = server.address();
    // A cold server answers its first requests slowly on a loaded machine (class loading, JIT):
    // warm it up, so that the scenarios measure the attack, not the start.
    ExecutorService warm = Executors.newFixedThreadPool(4);
    try {
      runConcurrently(warm, 400, i -> RawHttp.send(address, RawHttp.get("/livez"), 3000));
    } finally {
      warm.shutdown();
    }
  }

  @AfterEach
  void stopServer() throws Exception {
    for (Socket socket : attackers) {
      closeQuietly(socket);
    }
    server.close();
  }

  // --- slowloris and reopen ------------------------------------------------------------------

  @ParameterizedTest(name = "{0} connections")
  @ValueSource(ints = {2, 20, 200})
  void answersEveryProbeWhileConnectionsSendOneByteThenNothing(int connections) throws Exception {
    List<Socket> slow = new ArrayList<>();
    long opened = System.nanoTime();
    for (int i = 0; i < connections; i++) {
      slow.add(openAndSend(ONE_BYTE));
    }
    try (Kubelet kubelet = new Kubelet(address)) {
      waitFor(PROBING);
      kubelet.close();
      report("slowloris " + connections + " x one byte", kubelet);
      assertThat(kubelet.failures()).isEmpty();
    }
    assertSlowConnectionsHandled(slow, opened);
  }

  @ParameterizedTest(name = "{0} connections")
  @ValueSource(ints = {2, 20, 200})
  void answersEveryProbeWhileConnectionsSendOneBytePerSecond(int connections) throws Exception {
    List<Socket> slow = new ArrayList<>();
    long opened = System.nanoTime();
    for (int i = 0; i < connections; i++) {
      slow.add(openAndSend(ONE_BYTE));
    }
    byte[] head = "GET /livez HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII);
    AtomicInteger position = new AtomicInteger(1);
    ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
    trickle.scheduleAtFixedRate(
        () -> {
          byte[] next = {head[position.getAndIncrement() % head.length]};
          for (Socket socket : slow) {
            send(socket, next);
          }
        },
        1,
        1,
        TimeUnit.SECONDS);
    try (Kubelet kubelet = new Kubelet(address)) {
      waitFor(PROBING);
      kubelet.close();
      report("slowloris " + connections + " x one byte per second", kubelet);
      assertThat(kubelet.failures()).isEmpty();
    } finally {
      trickle.shutdownNow();
      trickle.awaitTermination(5, TimeUnit.SECONDS);
    }
    assertSlowConnectionsHandled(slow, opened);
  }

  @Test
  void answersEveryProbeWhileTwoOneByteConnectionsOpenEvery100Ms() throws Exception {
    ScheduledExecutorService opener = Executors.newSingleThreadScheduledExecutor();
    AtomicInteger opened = new AtomicInteger();
    opener.scheduleAtFixedRate(
        () -> {
          for (int i = 0; i < 2; i++) {
            try {
              openAndSend(ONE_BYTE);
              opened.incrementAndGet();
            } catch (IOException e) {
              // Refused at a cap: that is the server's right; the probes are what we judge.
            }
          }
        },
        0,
        100,
        TimeUnit.MILLISECONDS);
    try (Kubelet kubelet = new Kubelet(address)) {
      waitFor(PROBING);
      kubelet.close();
      report("reopen 2 one-byte connections / 100 ms (" + opened.get() + " opened)", kubelet);
      assertThat(kubelet.failures()).isEmpty();
    } finally {
      opener.shutdownNow();
      opener.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /**
   * With a head deadline, every slow connection is closed by the server within it (plus slack
   * for a loaded machine); without one, the weaker property the server meets is that the probes
   * above were answered all the same, and how many connections it still holds is printed.
   */
  private void assertSlowConnectionsHandled(List<Socket> slow, long openedNanos) {
    Optional<Duration> deadline = requestHeadDeadline();
    if (deadline.isPresent()) {
      Duration limit = deadline.get().plusSeconds(2);
      for (Socket socket : slow) {
        assertThat(closedByServer(socket, openedNanos + limit.toNanos()))
            .as("a one-byte connection closed within %s of its first byte", limit)
            .isTrue();
      }
    } else {
      long open = slow.stream().filter(s -> !closedByServer(s, System.nanoTime())).count();
      System.out.printf(
          "[hostile %s] no request-head deadline: %d of %d slow connections still open%n",
          name(), open, slow.size());
    }
  }

  // --- pipelined flood without reading, in a child JVM --------------------------------------

  @Test
  void keepsMemoryBoundedAndProbesAnsweredWhileClientsPipelineWithoutReading() throws Exception {
    // This scenario attacks its own child JVM; the in-process server idles.
    try (ChildServer child = new ChildServer(target(), floodJvmArgs())) {
      InetSocketAddress target = child.address();
      // A cold JVM answers its first requests slowly on a loaded machine: warm it up first.
      ExecutorService warm = Executors.newFixedThreadPool(4);
      runConcurrently(warm, 2_000, i -> RawHttp.send(target, RawHttp.get("/livez"), 3000));
      warm.shutdown();
      int flooders = 4;
      byte[] burst = ("GET /livez HTTP/1.1\r\nHost: x\r\n\r\n").repeat(512)
          .getBytes(StandardCharsets.US_ASCII);
      AtomicLong sent = new AtomicLong();
      ExecutorService floods = Executors.newFixedThreadPool(flooders);
      List<Socket> sockets = new ArrayList<>();
      for (int i = 0; i < flooders; i++) {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(target, 5_000);
        sockets.add(socket);
        attackers.add(socket);
        floods.execute(
            () -> {
              try {
                OutputStream out = socket.getOutputStream();
                while (true) {
                  out.write(burst);
                  sent.addAndGet(burst.length);
                }
              } catch (IOException e) {
                // Closed by the server (a limit) or by us at the end: the flood is over.
              }
            });
      }
      try (Kubelet kubelet = new Kubelet(target)) {
        waitFor(Duration.ofSeconds(3));
        kubelet.close();
        report(
            String.format("flood: %d never-reading pipeliners, %,d bytes sent", flooders, sent.get()),
            kubelet);
        assertThat(child.isAlive()).as("child alive:\n%s", child.output()).isTrue();
        assertThat(kubelet.failures()).as("child:\n%s", child.output()).isEmpty();
      } finally {
        for (Socket socket : sockets) {
          closeQuietly(socket);
        }
        floods.shutdownNow();
        floods.awaitTermination(10, TimeUnit.SECONDS);
      }
      assertThat(dev.probekit.it.KubeletProbe.get(target.getPort(), "/livez", 2_000).status())
          .isEqualTo(200);
      int exit = child.stop();
      String output = child.output();
      Matcher peak = Pattern.compile("PEAK heap=(\\d+) direct=(\\d+)").matcher(output);
      assertThat(output).doesNotContain("OutOfMemoryError").doesNotContain("OutOfDirectMemory");
      assertThat(exit).as(output).isZero();
      assertThat(peak.find()).as(output).isTrue();
      long peakDirect = Long.parseLong(peak.group(2));
      System.out.printf(
          "[hostile %s] flood: child %s peak heap %.1f MB, peak direct %.1f MB%n",
          name(), floodJvmArgs(), Long.parseLong(peak.group(1)) / 1e6, peakDirect / 1e6);
      // The heap is bounded by -Xmx (an OutOfMemoryError ends the child with exit 3); direct
      // buffers hold what is read and not yet answered or written: a few per connection.
      assertThat(peakDirect).as("peak direct memory").isLessThan(MAX_FLOOD_DIRECT_BYTES);
    }
  }

  // --- 10,000 short connections -------------------------------------------------------------

  @Test
  void threadsAndFileDescriptorsReturnToBaselineAfter10000ShortConnections() throws Exception {
    byte[] probe = RawHttp.get("/livez");
    ExecutorService clients = Executors.newFixedThreadPool(4);
    try {
      runConcurrently(clients, 200, i -> RawHttp.send(address, probe, 3000));
      int threadsBefore = threadCount();
      long fdsBefore = openFds();
      AtomicInteger failed = new AtomicInteger();
      long t0 = System.nanoTime();
      runConcurrently(
          clients,
          SHORT_CONNECTIONS,
          i -> {
            if (!RawHttp.send(address, probe, 3000).statuses().equals(List.of(200))) {
              failed.incrementAndGet();
            }
          });
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(failed).hasValue(0);
      await("threads back to the baseline of " + threadsBefore)
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> threadCount() <= threadsBefore + extraThreadsAfterShortConnections());
      await("file descriptors back to the baseline of " + fdsBefore)
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> openFds() <= fdsBefore + 4);
      System.out.printf(
          "[hostile %s] %,d short connections in %d ms; threads %d -> %d, fds %d -> %d%n",
          name(), SHORT_CONNECTIONS, ms, threadsBefore, threadCount(), fdsBefore, openFds());
    } finally {
      clients.shutdownNow();
    }
  }

  // --- fuzz ---------------------------------------------------------------------------------

  /**
   * Seeded: the seed is printed, and {@code -Dprobekit.fuzz.seed=N} replays a run.
   */
  @Test
  void answersMalformedRequestsOnlyWithContractStatusesAndLeaksNothing() throws Exception {
    long seed = Long.getLong("probekit.fuzz.seed", System.nanoTime());
    System.out.printf("[hostile %s] fuzz seed %d (replay with -Dprobekit.fuzz.seed=%d)%n",
        name(), seed, seed);
    int clients = 4;
    Duration budget = Duration.ofSeconds(75);
    Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger completed = new AtomicInteger();
    long deadline = System.nanoTime() + budget.toNanos();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    List<Future<?>> runs = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      long clientSeed = seed + c;
      runs.add(
          pool.submit(
              () -> {
                MalformedRequests generator = new MalformedRequests(clientSeed);
                int index;
                while ((index = next.getAndIncrement()) < FUZZ_REQUESTS
                    && System.nanoTime() < deadline
                    && failures.size() < 20) {
                  MalformedRequests.Request request = generator.next(index);
                  RawHttp.Exchange exchange = RawHttp.send(address, request.bytes(), 3000);
                  String problem = judge(exchange, outcomes);
                  if (problem != null) {
                    failures.add("client seed " + clientSeed + " request " + index + " ("
                        + request.kind() + "): " + problem + "\n  request: "
                        + preview(request.bytes()) + "\n  answer: " + preview(exchange.text()));
                  }
                  outcomes.computeIfAbsent(outcome(exchange), k -> new LongAdder()).increment();
                  completed.incrementAndGet();
                }
                return null;
              }));
    }
    for (Future<?> run : runs) {
      run.get(budget.toSeconds() + 30, TimeUnit.SECONDS);
    }
    pool.shutdown();
    Map<String, Long> sorted = new TreeMap<>();
    outcomes.forEach((k, v) -> sorted.put(k, v.sum()));
    System.out.printf("[hostile %s] fuzz: %d requests, outcomes %s%n", name(), completed.get(),
        sorted);

    assertThat(failures).as("seed " + seed).isEmpty();
    assertThat(completed.get()).as("requests sent within %s", budget)
        .isGreaterThanOrEqualTo(FUZZ_REQUESTS);
    RawHttp.Exchange livez = RawHttp.send(address, RawHttp.get("/livez"), 1000);
    assertThat(livez.statuses()).containsExactly(200);
    assertThat(livez.text()).endsWith("ok");
  }

  /** Null when the exchange is acceptable, else what is wrong with it. */
  private String judge(RawHttp.Exchange exchange, Map<String, LongAdder> outcomes) {
    if (exchange.timedOut()) {
      return "neither answered nor closed the connection in time";
    }
    String text = exchange.text();
    if (exchange.statuses().isEmpty() && !text.isEmpty()) {
      if (!answersHttp09()) {
        return "answered something that is not HTTP";
      }
      outcomes.computeIfAbsent("container:http0.9", k -> new LongAdder()).increment();
    }
    for (int status : exchange.statuses()) {
      if (containerStatuses().contains(status)) {
        outcomes.computeIfAbsent("container:" + status, k -> new LongAdder()).increment();
      } else if (!CONTRACT.contains(status) && !INTERIM.contains(status)) {
        return "status " + status;
      }
    }
    for (String leak : LEAKS) {
      if (text.contains(leak)) {
        return "body contains '" + leak.strip() + "'";
      }
    }
    for (String name : headerNames(text)) {
      if (!name.equals(canonical(name))) {
        return "header name '" + name + "' not in canonical case";
      }
    }
    return null;
  }

  /** The header names of every response head in {@code text}. */
  static List<String> headerNames(String text) {
    List<String> names = new ArrayList<>();
    Matcher m = STATUS_LINE.matcher(text);
    while (m.find()) {
      int end = text.indexOf("\r\n\r\n", m.end());
      String head = text.substring(m.end(), end < 0 ? text.length() : end);
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0) {
          names.add(line.substring(0, colon));
        }
      }
    }
    return names;
  }

  /**
   * {@code content-TYPE} as {@code Content-Type}; {@code ETag} as RFC 9110 spells it (the one
   * header we send whose registered name is not capitalized per word).
   */
  static String canonical(String name) {
    if (name.equalsIgnoreCase("ETag")) {
      return "ETag";
    }
    StringBuilder out = new StringBuilder(name.length());
    boolean start = true;
    for (char c : name.toCharArray()) {
      out.append(start ? Character.toUpperCase(c) : Character.toLowerCase(c));
      start = c == '-';
    }
    return out.toString();
  }

  private static String outcome(RawHttp.Exchange exchange) {
    List<Integer> finals =
        exchange.statuses().stream().filter(s -> !INTERIM.contains(s)).toList();
    return finals.isEmpty()
        ? "closed"
        : finals.stream().map(String::valueOf).reduce((a, b) -> a + "+" + b).get();
  }

  private static String preview(byte[] bytes) {
    return preview(new String(bytes, 0, Math.min(bytes.length, 300), StandardCharsets.ISO_8859_1));
  }

  private static String preview(String text) {
    String s = text.length() > 300 ? text.substring(0, 300) + "...(" + text.length() + " chars)" : text;
    return s.replace("\r", "\\r").replace("\n", "\\n").replace("\u0000", "\\0");
  }

  // --- helpers ------------------------------------------------------------------------------

  private void report(String scenario, Kubelet kubelet) {
    System.out.printf("[hostile %s] %s: %s%n", name(), scenario, kubelet.summary());
  }

  private Socket openAndSend(byte[] bytes) throws IOException {
    Socket socket = new Socket();
    attackers.add(socket);
    socket.connect(address, 2_000);
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
    return socket;
  }

  private static void send(Socket socket, byte[] bytes) {
    try {
      socket.getOutputStream().write(bytes);
    } catch (IOException e) {
      // Closed by the server: expected of a server with a head deadline.
    }
  }

  /** Whether the server closed {@code socket} (end of stream or reset) by {@code untilNanos}. */
  private static boolean closedByServer(Socket socket, long untilNanos) {
    try {
      InputStream in = socket.getInputStream();
      while (true) {
        long left = (untilNanos - System.nanoTime()) / 1_000_000;
        socket.setSoTimeout((int) Math.max(1, left));
        if (in.read() < 0) {
          return true;
        }
      }
    } catch (java.net.SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // Closing an attacker's socket at the end: nothing to do about a failure.
    }
  }

  /** Lets {@code duration} pass (the kubelet probes meanwhile). */
  private static void waitFor(Duration duration) {
    long until = System.nanoTime() + duration.toNanos();
    await().atMost(duration.plusSeconds(5)).pollInterval(Duration.ofMillis(50))
        .until(() -> System.nanoTime() >= until);
  }

  interface Task {
    void run(int index) throws Exception;
  }

  private static void runConcurrently(ExecutorService pool, int count, Task task)
      throws Exception {
    AtomicInteger next = new AtomicInteger();
    List<Future<?>> futures = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      futures.add(
          pool.submit(
              () -> {
                int i;
                while ((i = next.getAndIncrement()) < count) {
                  task.run(i);
                }
                return null;
              }));
    }
    for (Future<?> f : futures) {
      f.get(120, TimeUnit.SECONDS);
    }
  }

  static int threadCount() {
    return Thread.getAllStackTraces().size();
  }

  static long openFds() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    }
  }
}

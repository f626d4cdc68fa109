package dev.probekit.core.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.Status;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.core.testkit.RawHttp;
import dev.probekit.core.testkit.RawSockets;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The built-in {@link ProbeServer} against peers that do not play by the rules, over raw sockets:
 * slow heads, idle and excess connections, pipelining without reading, bodies, malformed and
 * unusual requests. Every line of the server's promise has a test here.
 */
class ProbeServerHostileClientTest {
  /** Exactly the header names the server may write: canonical case, nothing else. */
  private static final Set<String> CANONICAL =
      Set.of("Content-Type", "Content-Length", "Cache-Control", "X-Content-Type-Options", "Connection", "Allow",
          "ETag");

  private final HealthRegistry health = HealthRegistry.builder().build();
  private final RawSockets sockets = new RawSockets();
  private ProbeServer server;
  private URI base;

  @AfterEach
  void close() throws IOException {
    sockets.close();
    if (server != null) {
      server.close();
    }
    health.close();
  }

  private void start(ProbeServer.Builder builder) {
    server = builder.port(0).bindAddress(InetAddress.getLoopbackAddress()).start();
    base = URI.create("http://127.0.0.1:" + server.port());
  }

  private void start() {
    start(ProbeServer.builder(ProbeEndpoints.of(health)));
  }

  private Socket connect() throws IOException {
    return sockets.open(base);
  }

  private static void send(Socket socket, String text) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /** One request on a fresh connection, the raw text as given; the answer, checked for hygiene. */
  private RawHttp.Response exchange(String request) throws IOException {
    try (Socket socket = connect()) {
      send(socket, request);
      return hygienic(RawHttp.read(new BufferedInputStream(socket.getInputStream()), request.startsWith("HEAD")));
    }
  }

  /** The kubelet's way: a fresh connection, Connection: close. */
  private RawHttp.Response probe(String path) throws IOException {
    return hygienic(RawHttp.exchange(base, "GET", path, "User-Agent: kube-probe/1.32"));
  }

  private static RawHttp.Response hygienic(RawHttp.Response response) {
    assertThat(response.statusLine()).as("status line").matches("HTTP/1\\.1 \\d{3} [A-Za-z ]*");
    assertThat(response.headers().keySet()).as("header names of " + response).isSubsetOf(CANONICAL);
    assertThat(response.body()).as("body of " + response)
        .hasSizeLessThan(200)
        .doesNotContain("Exception", "java.", "\tat ", "<");
    if (response.status() >= 400 && response.status() != 503) {
      assertThat(response.body().strip()).as("an error is one line").doesNotContain("\n");
    }
    return response;
  }

  /** Whether the server closed {@code socket} within {@code timeout} (EOF or reset). */
  private static boolean closedWithin(Socket socket, Duration timeout) throws IOException {
    socket.setSoTimeout((int) timeout.toMillis());
    InputStream in = socket.getInputStream();
    try {
      while (true) {
        if (in.read() < 0) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException reset) {
      return true;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // No client delays another
  // ---------------------------------------------------------------------------------------------

  @Test
  void slowHeadIsClosedAtTheDeadlineWhileProbesAnswerAtOnce() throws Exception {
    start(ProbeServer.builder(ProbeEndpoints.of(health)).headDeadline(Duration.ofMillis(500)));
    List<Socket> slow = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Socket socket = connect();
      send(socket, "G");
      slow.add(socket);
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < 5; i++) {
      assertThat(probe("/livez").status()).isEqualTo(200);
    }
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("5 probes past 20 slow heads").isLessThan(450);

    for (Socket socket : slow) {
      assertThat(closedWithin(socket, Duration.ofSeconds(5))).as("slow head closed").isTrue();
    }
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("not before the deadline").isGreaterThanOrEqualTo(450);
  }

  @Test
  void twoHundredOneByteConnectionsBeyondTheCapDelayNoProbe() throws Exception {
    start();
    for (int i = 0; i < 200; i++) {
      try {
        send(connect(), "G");
      } catch (SocketException evicted) {
        // Past the cap of 128 the server closes the slowest heads to make room: expected.
      }
    }
    long worst = 0;
    for (int i = 0; i < 20; i++) {
      long t0 = System.nanoTime();
      assertThat(probe("/livez").status()).isEqualTo(200);
      worst = Math.max(worst, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }
    assertThat(worst).as("slowest of 20 probes, ms (the kubelet gives up at 1,000)").isLessThan(500);
  }

  @Test
  void headTricklingOneByteAtATimeStillMeetsItsDeadlineFromTheFirstByte() throws Exception {
    start(ProbeServer.builder(ProbeEndpoints.of(health)).headDeadline(Duration.ofMillis(400)));
    Socket socket = connect();
    long t0 = System.nanoTime();
    String request = "GET /livez HTTP/1.1\r\nHost: x\r\nX-Padding: " + "a".repeat(200) + "\r\n\r\n";
    boolean closed = false;
    try {
      for (int i = 0; i < request.length() && !closed; i++) {
        send(socket, request.substring(i, i + 1));
        // Paced by a blocking read with a timeout: a byte every 20 ms unless the server closes.
        closed = closedWithin(socket, Duration.ofMillis(20));
      }
    } catch (SocketException reset) {
      closed = true;
    }
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(closed).as("closed before the head was complete").isTrue();
    assertThat(millis).isBetween(350L, 3_000L);
  }

  @Test
  void idleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
    start(ProbeServer.builder(ProbeEndpoints.of(health)).idleTimeout(Duration.ofMillis(400)));
    Socket socket = connect();
    InputStream in = new BufferedInputStream(socket.getInputStream());
    RawHttp.write(socket.getOutputStream(), base, "GET", "/livez", false);
    assertThat(hygienic(RawHttp.read(in, false)).header("Connection")).isNull();
    long t0 = System.nanoTime();

    assertThat(closedWithin(socket, Duration.ofSeconds(5))).isTrue();
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(350);
  }

  @Test
  void atTheCapTheOldestIdleConnectionMakesRoomForANewOne() throws Exception {
    start(ProbeServer.builder(ProbeEndpoints.of(health)).maxConnections(4));
    List<Socket> idle = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Socket socket = connect();
      RawHttp.write(socket.getOutputStream(), base, "GET", "/livez", false);
      hygienic(RawHttp.read(new BufferedInputStream(socket.getInputStream()), false));
      idle.add(socket);
    }

    assertThat(probe("/livez").status()).as("the fifth connection is served").isEqualTo(200);
    assertThat(closedWithin(idle.get(0), Duration.ofSeconds(5))).as("the oldest idle one is closed").isTrue();
    for (Socket socket : idle.subList(1, 4)) {
      assertThat(closedWithin(socket, Duration.ofMillis(100))).as("the others stay").isFalse();
    }
  }

  @Test
  void atTheCapWithOnlySlowHeadsTheSlowestIsClosedAndTheProbeAnswered() throws Exception {
    start(ProbeServer.builder(ProbeEndpoints.of(health)).maxConnections(8).headDeadline(Duration.ofSeconds(30)));
    List<Socket> slow = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Socket socket = connect();
      send(socket, "G");
      slow.add(socket);
    }
    for (int i = 0; i < 3; i++) {
      assertThat(probe("/livez").status()).isEqualTo(200);
    }
    // The first probe made room by evicting one slow head (the oldest, or one whose byte the
    // server had not read yet, which counts as idle); once it was answered and closed, the next
    // probes found a free slot (or evicted another if it was still closing).
    int closed = 0;
    for (Socket socket : slow) {
      closed += closedWithin(socket, Duration.ofMillis(300)) ? 1 : 0;
    }
    assertThat(closed).as("slow heads evicted, at most one per probe").isBetween(1, 3);
  }

  // ---------------------------------------------------------------------------------------------
  // Bounded per connection
  // ---------------------------------------------------------------------------------------------

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    health.register("db", () -> CheckResult.down("refused"), CheckOptions.of(Probe.READINESS));
    await().atMost(Duration.ofSeconds(5)).until(() -> health.snapshot(Probe.READINESS).status() == Status.DOWN);
    start();
    String[] paths = {"/livez", "/readyz", "/nope", "/readyz/db", "/healthz?verbose"};
    int[] statuses = {200, 503, 404, 503, 503};
    StringBuilder batch = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      String path = paths[i % paths.length];
      String method = i % 7 == 0 ? "HEAD" : "GET";
      batch.append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: x\r\n\r\n");
    }
    Socket socket = connect();
    send(socket, batch.toString());
    InputStream in = new BufferedInputStream(socket.getInputStream());
    for (int i = 0; i < 100; i++) {
      RawHttp.Response response = hygienic(RawHttp.read(in, i % 7 == 0));
      assertThat(response.status()).as("answer " + i + " to " + paths[i % paths.length]).isEqualTo(statuses[i % paths.length]);
    }
    assertThat(closedWithin(socket, Duration.ofMillis(100))).as("still open: keep-alive").isFalse();
  }

  @Test
  void peerThatPipelinesWithoutReadingIsNoLongerRead() throws Exception {
    start();
    Flooder flooder = new Flooder(connect());
    flooder.awaitStalled();
    assertThat(flooder.sent.get()).as("bytes accepted from a peer that reads nothing").isLessThan(64L * 1024 * 1024);
    assertThat(probe("/livez").status()).as("other peers are served meanwhile").isEqualTo(200);
    flooder.close();
  }

  @Test
  void atTheCapAPeerThatDoesNotReadItsAnswersMakesRoomForAProbe() throws Exception {
    start(ProbeServer.builder(ProbeEndpoints.of(health)).maxConnections(2));
    Flooder first = new Flooder(connect());
    Flooder second = new Flooder(connect());
    first.awaitStalled();
    second.awaitStalled();

    assertThat(probe("/livez").status()).isEqualTo(200);
    assertThat(closedWithin(first.socket, Duration.ofSeconds(5)) || closedWithin(second.socket, Duration.ofSeconds(5)))
        .as("one stalled peer evicted")
        .isTrue();
    first.close();
    second.close();
  }

  /** A peer that pipelines {@code GET /livez} as fast as it can and never reads an answer. */
  private static final class Flooder {
    final Socket socket;
    final AtomicLong sent = new AtomicLong();
    private final Thread writer;

    Flooder(Socket socket) throws IOException {
      this.socket = socket;
      socket.setReceiveBufferSize(4096);
      byte[] request = "GET /livez HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
      byte[] chunk = new byte[request.length * 256];
      for (int i = 0; i < 256; i++) {
        System.arraycopy(request, 0, chunk, i * request.length, request.length);
      }
      OutputStream out = socket.getOutputStream();
      writer = new Thread(() -> {
        try {
          while (sent.get() < 512L * 1024 * 1024) {
            out.write(chunk);
            sent.addAndGet(chunk.length);
          }
        } catch (IOException closed) {
          // Closed by the test or evicted by the server: either ends this writer.
        }
      }, "flooder");
      writer.setDaemon(true);
      writer.start();
    }

    /** Until its writes block: the kernel buffers on both sides are full, the server stopped reading. */
    void awaitStalled() {
      long[] last = {-1};
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
        long now = sent.get();
        boolean stalled = now > 0 && now == last[0];
        last[0] = now;
        return stalled;
      });
    }

    void close() throws Exception {
      socket.close();
      writer.join(5_000);
    }
  }

  @ParameterizedTest(name = "{0} {1}: {2}")
  @CsvSource({
    "GET, 5, 200",
    "POST, 3, 405",
    "GET, 65536, 200",
  })
  void requestWithABodyIsAnsweredAtOnceWithConnectionCloseAndTheBodyIsNeverRead(
      String method, int length, int status) throws Exception {
    start();
    Socket socket = connect();
    // Only the head: the body is never sent, and the answer must not wait for it.
    send(socket, method + " /livez HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + "\r\n\r\n");
    RawHttp.Response response = hygienic(RawHttp.read(new BufferedInputStream(socket.getInputStream()), false));
    assertThat(response.status()).isEqualTo(status);
    assertThat(response.header("Connection")).isEqualTo("close");
    send(socket, "x".repeat(Math.min(length, 1000)));
    assertThat(closedWithin(socket, Duration.ofSeconds(5))).isTrue();
  }

  @Test
  void chunkedBodyIsAnsweredWithConnectionCloseAndDiscarded() throws Exception {
    start();
    Socket socket = connect();
    send(socket, "GET /livez HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
    InputStream in = new BufferedInputStream(socket.getInputStream());
    RawHttp.Response response = hygienic(RawHttp.read(in, false));
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.header("Connection")).isEqualTo("close");
    send(socket, "0\r\n\r\nGET /livez HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(in.read()).as("the 'request' inside the body is never answered").isEqualTo(-1);
  }

  @Test
  void expectContinueGetsTheFinalAnswerAtOnceAndNo100() throws Exception {
    start();
    RawHttp.Response withBody = exchange(
        "POST /livez HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n");
    assertThat(withBody.status()).isEqualTo(405);
    assertThat(withBody.header("Connection")).isEqualTo("close");

    RawHttp.Response withoutBody = exchange("GET /livez HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n");
    assertThat(withoutBody.status()).isEqualTo(200);
    assertThat(withoutBody.body()).isEqualTo("ok");
  }

  // ---------------------------------------------------------------------------------------------
  // Only our own answers
  // ---------------------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    "absolute-form target               | GET http://probe:8081/livez HTTP/1.1\\r\\nHost: probe\\r\\n\\r\\n | 200 | ok",
    "absolute-form with a query         | GET http://probe/readyz?verbose=0 HTTP/1.1\\r\\nHost: probe\\r\\n\\r\\n | 200 | ok",
    "absolute-form without a path       | GET http://probe HTTP/1.1\\r\\nHost: probe\\r\\n\\r\\n | 404 | not found",
    "a fragment is cut off (every adapter) | GET /livez#frag HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n | 200 | ok",
    "HTTP/1.0 without Host              | GET /livez HTTP/1.0\\r\\n\\r\\n | 200 | ok",
    "leading empty lines                | \\r\\n\\r\\nGET /livez HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n | 200 | ok",
    "bare LF line ends                  | GET /livez HTTP/1.1\\nHost: x\\n\\n | 200 | ok",
    "unknown method                     | BREW /livez HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n | 405 | method not allowed",
    "TRACE                              | TRACE /livez HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n | 405 | method not allowed",
    "unknown method off the contract    | BREW /coffee HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n | 404 | not found",
    "asterisk-form                      | OPTIONS * HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n | 404 | not found",
    "HTTP/2 preface                     | PRI * HTTP/2.0\\r\\n\\r\\nSM\\r\\n\\r\\n | 505 | HTTP version not supported",
    "HTTP/1.2                           | GET /livez HTTP/1.2\\r\\nHost: x\\r\\n\\r\\n | 505 | HTTP version not supported",
    "HTTP/0.9 request line              | GET /livez\\r\\n\\r\\n | 400 | malformed request line",
    "lower-case version                 | GET /livez http/1.1\\r\\nHost: x\\r\\n\\r\\n | 400 | malformed request line",
    "two spaces                         | GET  /livez HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n | 400 | malformed request line",
    "authority-form                     | CONNECT probe:443 HTTP/1.1\\r\\nHost: probe\\r\\n\\r\\n | 400 | malformed request target",
    "ftp absolute-form                  | GET ftp://probe/livez HTTP/1.1\\r\\nHost: probe\\r\\n\\r\\n | 400 | malformed request target",
    "no Host in 1.1                     | GET /livez HTTP/1.1\\r\\n\\r\\n | 400 | exactly one Host header expected",
    "two Hosts                          | GET /livez HTTP/1.1\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n | 400 | exactly one Host header expected",
    "space before colon                 | GET /livez HTTP/1.1\\r\\nHost : x\\r\\n\\r\\n | 400 | malformed header field",
    "folded header                      | GET /livez HTTP/1.1\\r\\nHost: x\\r\\nX-A: a\\r\\n  b\\r\\n\\r\\n | 400 | malformed header field",
    "header without colon               | GET /livez HTTP/1.1\\r\\nHost: x\\r\\nnonsense\\r\\n\\r\\n | 400 | malformed header field",
    "non-numeric Content-Length         | GET /livez HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 1x\\r\\n\\r\\n | 400 | malformed Content-Length",
    "negative Content-Length            | GET /livez HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: -1\\r\\n\\r\\n | 400 | malformed Content-Length",
    "conflicting Content-Lengths        | GET /livez HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 1\\r\\nContent-Length: 2\\r\\n\\r\\n | 400 | malformed Content-Length",
    "Content-Length and chunked         | GET /livez HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 1\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n | 400 | conflicting body framing",
    "declared body over 64 KiB          | POST /livez HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 99999999\\r\\n\\r\\n | 413 | request body too large",
    "malformed percent escape           | GET /readyz/%zz HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n | 400 | malformed percent-encoding in path",
  })
  void malformedAndUnusualRequestsGetOnlyOurOwnShortAnswers(String label, String request, int status, String body)
      throws Exception {
    start();
    RawHttp.Response response = exchange(request.replace("\\r", "\r").replace("\\n", "\n"));
    assertThat(response.status()).as(label).isEqualTo(status);
    assertThat(response.body().strip()).as(label).isEqualTo(body);
    assertThat(response.header("Content-Type")).isEqualTo("text/plain; charset=utf-8");
    assertThat(response.header("Cache-Control")).isEqualTo("no-store");
    assertThat(response.header("X-Content-Type-Options")).isEqualTo("nosniff");
    if (status == 405) {
      assertThat(response.header("Allow")).isEqualTo("GET, HEAD");
    }
    if ((status == 400 && !body.startsWith("malformed percent")) || status >= 413) {
      // The server's own rejections end the connection; the contract's 400s do not need to.
      assertThat(response.header("Connection")).as("a rejected request ends the connection").isEqualTo("close");
    }
  }

  @Test
  void bytesOutsideVisibleAsciiInTheTargetAre400() throws Exception {
    start();
    for (String target : List.of("/livez\0", "/livez\u00e9", "/li\tvez", "/livez\u007f")) {
      byte[] bytes = ("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.UTF_8);
      try (Socket socket = connect()) {
        socket.getOutputStream().write(bytes);
        RawHttp.Response response = hygienic(RawHttp.read(new BufferedInputStream(socket.getInputStream()), false));
        assertThat(response.status()).as(target).isEqualTo(400);
      }
    }
    assertThat(exchange("GET /livez HTTP/1.1\r\nHost: x\r\nX-Bin: a\0b\r\n\r\n").status()).isEqualTo(400);
  }

  @Test
  void headOver8KiBIs431AndRequestLineOver8KiBIs414() throws Exception {
    start();
    RawHttp.Response fields = exchange(
        "GET /livez HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(9000) + "\r\n\r\n");
    assertThat(fields.status()).isEqualTo(431);
    assertThat(fields.body()).isEqualTo("request header fields too large");
    assertThat(fields.header("Connection")).isEqualTo("close");

    RawHttp.Response line = exchange("GET /livez?" + "a".repeat(9000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(line.status()).isEqualTo(414);
    assertThat(line.body()).isEqualTo("URI too long");

    String justUnder = "GET /livez HTTP/1.1\r\nHost: x\r\nX-Big: ";
    String head = justUnder + "a".repeat(8 * 1024 - justUnder.length() - 4) + "\r\n\r\n";
    assertThat(head).hasSize(8 * 1024);
    assertThat(exchange(head).status()).as("a head of exactly 8 KiB").isEqualTo(200);
  }

  @Test
  void tooManyHeaderFieldsAre431() throws Exception {
    start();
    String fields = "X-A: b\r\n".repeat(101);
    assertThat(exchange("GET /livez HTTP/1.1\r\nHost: x\r\n" + fields + "\r\n").status()).isEqualTo(431);
  }

  // ---------------------------------------------------------------------------------------------
  // Keep-alive rules
  // ---------------------------------------------------------------------------------------------

  @Test
  void http10ClosesUnlessKeepAliveIsAskedForAndThenSaysSo() throws Exception {
    start();
    Socket plain = connect();
    send(plain, "GET /livez HTTP/1.0\r\n\r\n");
    RawHttp.Response closed = hygienic(RawHttp.read(new BufferedInputStream(plain.getInputStream()), false));
    assertThat(closed.header("Connection")).isEqualTo("close");
    assertThat(closedWithin(plain, Duration.ofSeconds(5))).isTrue();

    Socket keep = connect();
    InputStream in = new BufferedInputStream(keep.getInputStream());
    for (int i = 0; i < 3; i++) {
      send(keep, "GET /livez HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
      RawHttp.Response kept = hygienic(RawHttp.read(in, false));
      assertThat(kept.body()).isEqualTo("ok");
      assertThat(kept.header("Connection")).isEqualTo("keep-alive");
    }
  }

  @Test
  void http11KeepsAliveUntilTheClientSaysClose() throws Exception {
    start();
    Socket socket = connect();
    InputStream in = new BufferedInputStream(socket.getInputStream());
    for (int i = 0; i < 3; i++) {
      RawHttp.write(socket.getOutputStream(), base, "GET", "/livez", false);
      assertThat(hygienic(RawHttp.read(in, false)).header("Connection")).isNull();
    }
    RawHttp.write(socket.getOutputStream(), base, "GET", "/livez", true);
    assertThat(hygienic(RawHttp.read(in, false)).header("Connection")).isEqualTo("close");
    assertThat(in.read()).isEqualTo(-1);
  }

  @Test
  void headAnswersCarryTheGetLengthAndNoBody() throws Exception {
    Lifecycle lifecycle = Lifecycle.builder(health).build();
    start(ProbeServer.builder(ProbeEndpoints.of(health)).preStop("/prestop", lifecycle));
    Socket socket = connect();
    InputStream in = new BufferedInputStream(socket.getInputStream());
    send(socket, "HEAD /livez HTTP/1.1\r\nHost: x\r\n\r\nHEAD /nope HTTP/1.1\r\nHost: x\r\n\r\n"
        + "HEAD /prestop HTTP/1.1\r\nHost: x\r\n\r\nGET /livez HTTP/1.1\r\nHost: x\r\n\r\n");
    RawHttp.Response head = hygienic(RawHttp.read(in, true));
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.header("Content-Length")).isEqualTo("2");
    RawHttp.Response notFound = hygienic(RawHttp.read(in, true));
    assertThat(notFound.status()).isEqualTo(404);
    assertThat(notFound.header("Content-Length")).isEqualTo("9");
    RawHttp.Response preStop = hygienic(RawHttp.read(in, true));
    assertThat(preStop.status()).isEqualTo(405);
    assertThat(preStop.header("Allow")).isEqualTo("GET, POST");
    assertThat(lifecycle.isDraining()).isFalse();
    // Had any HEAD answer carried a body, this would read it instead of the GET's status line.
    assertThat(hygienic(RawHttp.read(in, false)).body()).isEqualTo("ok");
  }

  // ---------------------------------------------------------------------------------------------
  // One thread, drain, close
  // ---------------------------------------------------------------------------------------------

  @Test
  void servesEveryConnectionOnOneThreadOfItsOwn() throws Exception {
    start();
    List<Socket> open = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      Socket socket = connect();
      send(socket, "GET /li");
      open.add(socket);
    }
    for (int i = 0; i < 50; i++) {
      assertThat(probe("/livez").status()).isEqualTo(200);
    }
    long threads = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("probekit-probe-server"))
        .count();
    assertThat(threads).isEqualTo(1);
  }

  @Test
  void closeWithConnectionsInEveryStateReturnsPromptlyAndFreesThePort() throws Exception {
    Lifecycle lifecycle = Lifecycle.builder(health).preStopDelay(Duration.ofSeconds(5)).build();
    start(ProbeServer.builder(ProbeEndpoints.of(health)).preStop("/prestop", lifecycle));
    int port = server.port();
    Socket idle = connect();
    RawHttp.write(idle.getOutputStream(), base, "GET", "/livez", false);
    hygienic(RawHttp.read(new BufferedInputStream(idle.getInputStream()), false));
    Socket partial = connect();
    send(partial, "GET /liv");
    Socket waiting = connect();
    send(waiting, "GET /prestop HTTP/1.1\r\nHost: x\r\n\r\n");
    await().atMost(Duration.ofSeconds(5)).until(lifecycle::isDraining);

    long t0 = System.nanoTime();
    server.close();
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(1_000);
    for (Socket socket : List.of(idle, partial, waiting)) {
      assertThat(closedWithin(socket, Duration.ofSeconds(5))).isTrue();
    }
    try (ServerSocket rebound = new ServerSocket()) {
      rebound.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      assertThat(rebound.getLocalPort()).isEqualTo(port);
    }
  }

  @Test
  void everyAnswerSaysConnectionCloseWhileDrainingEvenPipelined() throws Exception {
    Lifecycle lifecycle = Lifecycle.builder(health).preStopDelay(Duration.ofSeconds(5)).build();
    start(ProbeServer.builder(ProbeEndpoints.of(health)).lifecycle(lifecycle));
    lifecycle.preStopAsync();
    await().atMost(Duration.ofSeconds(5)).until(lifecycle::isDraining);

    Socket socket = connect();
    send(socket, "GET /livez HTTP/1.1\r\nHost: x\r\n\r\nGET /livez HTTP/1.1\r\nHost: x\r\n\r\n");
    InputStream in = new BufferedInputStream(socket.getInputStream());
    RawHttp.Response first = hygienic(RawHttp.read(in, false));
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.header("Connection")).isEqualTo("close");
    assertThat(in.read()).as("the pipelined second request is not answered after close").isEqualTo(-1);
  }

  @Test
  void builderRejectsNonPositiveLimits() {
    ProbeServer.Builder builder = ProbeServer.builder(ProbeEndpoints.of(health));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> builder.headDeadline(Duration.ZERO))
        .hasMessage("headDeadline: PT0S (expected: > 0)");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> builder.idleTimeout(Duration.ofMillis(-1)))
        .hasMessage("idleTimeout: PT-0.001S (expected: > 0)");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> builder.maxConnections(0))
        .hasMessage("maxConnections: 0 (expected: >= 1)");
  }
}

package dev.probekit.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The demo's background work stopped with a real SIGTERM in a child JVM: the job queue worker
 * mid-batch, the executor with queued tasks, the scheduled job mid-run. The database is an H2
 * server in this JVM, so the tables outlive the child and the assertions read them. A negative
 * control without the drain shows the work cut: jobs stuck as claimed, tasks lost, a run left
 * started.
 *
 * <p>Pre-stop delay 0 (the drain begins at the signal), drain timeout 5 s, grace period 8 s.
 */
class DemoJobsIT {
  private static final Pattern JOBS_DRAINED = Pattern.compile("jobs drained=(\\d+) abandoned=(\\d+)");
  private static final int JOBS = 30;

  private final HttpClient http = HttpClient.newHttpClient();
  private final List<DemoProcess> demos = new ArrayList<>();
  private Server h2;
  private String url;
  private Connection db;

  @BeforeEach
  void database() throws SQLException {
    h2 = Server.createTcpServer("-tcpPort", "0", "-ifNotExists").start();
    url = "jdbc:h2:tcp://127.0.0.1:" + h2.getPort() + "/mem:jobs-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    // Held open for the whole test: the in-memory database lives while a connection does, too.
    db = DriverManager.getConnection(url, "sa", "");
  }

  @AfterEach
  void close() throws SQLException {
    demos.forEach(DemoProcess::close);
    db.close();
    h2.stop();
  }

  private DemoProcess start(String... more) throws Exception {
    List<String> settings = new ArrayList<>(List.of(
        "-Dprobekit.demo.database-url=" + url,
        "-Dprobekit.demo.database-user=sa",
        "-Dprobekit.demo.database-password=",
        "-Dprobekit.shutdown.pre-stop-delay=0s",
        "-Dprobekit.demo.tick-interval=0s"));
    settings.addAll(List.of(more));
    DemoProcess demo = DemoProcess.start(settings.toArray(new String[0]));
    demos.add(demo);
    return demo.awaitStarted();
  }

  private int post(DemoProcess demo, String pathAndQuery) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + demo.appPort() + pathAndQuery))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  private String get(DemoProcess demo, String path) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + demo.appPort() + path)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body()
        .trim();
  }

  private long count(String sql) throws SQLException {
    try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private long jobs(String state) throws SQLException {
    return count("SELECT COUNT(*) FROM demo_jobs WHERE state = '" + state + "'");
  }

  /** Sends SIGTERM and returns {exit code, millis to exit}. */
  private static long[] sigterm(DemoProcess demo) throws InterruptedException {
    long start = System.nanoTime();
    demo.process.destroy();
    assertThat(demo.process.waitFor(20, TimeUnit.SECONDS)).as("exited").isTrue();
    return new long[] {demo.process.exitValue(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)};
  }

  @Test
  @Timeout(120)
  void sigtermMidBatchCommitsTheBatchClaimsNothingMoreAndLeavesNoJobClaimed() throws Exception {
    DemoProcess demo = start("-Dprobekit.demo.job-duration=300ms");
    assertThat(post(demo, "/jobs?n=" + JOBS)).isEqualTo(202);
    // Mid-batch: a batch claimed, and at least one batch already done before it.
    await().atMost(Duration.ofSeconds(30)).until(() -> jobs("claimed") == DemoJobs.BATCH && jobs("done") >= DemoJobs.BATCH);
    long doneAtSignal = jobs("done");

    long[] exit = sigterm(demo);

    assertThat(exit[0]).as("exit code; output:\n%s", demo.output()).isZero();
    assertThat(exit[1]).as("exit within the grace period").isLessThan(8_000);
    assertThat(jobs("claimed")).as("jobs left claimed").isZero();
    // The batch under way was committed, and nothing more was claimed.
    assertThat(jobs("done") - doneAtSignal).isBetween(1L, (long) DemoJobs.BATCH * 2);
    assertThat(jobs("queued")).isPositive();
    assertThat(count("SELECT COUNT(*) FROM demo_jobs WHERE runs > 1")).isZero();
    Matcher m = JOBS_DRAINED.matcher(demo.output());
    assertThat(m.find()).as(demo.output()).isTrue();
    assertThat(Long.parseLong(m.group(1))).as("jobs drained").isBetween(1L, (long) DemoJobs.BATCH);
    assertThat(m.group(2)).as("jobs abandoned").isEqualTo("0");
    System.out.println("JOBS-DRAIN drain=on exit=" + exit[0] + " after " + exit[1] + " ms, " + m.group());

    // After a restart the rest is processed, each job once.
    DemoProcess again = start("-Dprobekit.demo.job-duration=50ms");
    await().atMost(Duration.ofSeconds(60)).until(() -> jobs("done") == JOBS);
    assertThat(get(again, "/jobs"))
        .isEqualTo("{\"queued\":0,\"claimed\":0,\"done\":" + JOBS + ",\"processedTwice\":0}");
  }

  @Test
  @Timeout(120)
  void sigtermWithQueuedTasksRunsThemAll() throws Exception {
    DemoProcess demo = start("-Dprobekit.demo.job-duration=300ms");
    assertThat(post(demo, "/tasks?n=10")).isEqualTo(202);
    assertThat(get(demo, "/tasks")).contains("\"inFlight\":");

    long[] exit = sigterm(demo);

    assertThat(exit[0]).as("exit code; output:\n%s", demo.output()).isZero();
    assertThat(count("SELECT COUNT(*) FROM demo_tasks")).isEqualTo(10);
    assertThat(demo.output()).contains("tasks drained=10 abandoned=0");
  }

  @Test
  @Timeout(120)
  void sigtermMidRunLetsTheScheduledJobFinishAndStartsNoNewRun() throws Exception {
    DemoProcess demo = start("-Dprobekit.demo.job-duration=1s", "-Dprobekit.demo.tick-interval=100ms");
    await().atMost(Duration.ofSeconds(30))
        .until(() -> count("SELECT COUNT(*) FROM demo_ticks WHERE state = 'started'") == 1);
    long runsAtSignal = count("SELECT COUNT(*) FROM demo_ticks");

    long[] exit = sigterm(demo);

    assertThat(exit[0]).as("exit code; output:\n%s", demo.output()).isZero();
    assertThat(count("SELECT COUNT(*) FROM demo_ticks WHERE state = 'started'")).as("runs cut").isZero();
    assertThat(count("SELECT COUNT(*) FROM demo_ticks")).as("no new run").isEqualTo(runsAtSignal);
    assertThat(demo.output()).contains("ticks drained=").contains("abandoned=0");
  }

  @Test
  @Timeout(120)
  void withoutTheDrainJobsAreStuckClaimedTasksLostAndRunsCut() throws Exception {
    DemoProcess demo =
        start(
            "-Dprobekit.demo.drain=false",
            "-Dprobekit.demo.job-duration=500ms",
            "-Dprobekit.demo.tick-interval=100ms");
    assertThat(post(demo, "/jobs?n=" + JOBS)).isEqualTo(202);
    await().atMost(Duration.ofSeconds(30))
        .until(() -> jobs("claimed") > 0 && count("SELECT COUNT(*) FROM demo_ticks WHERE state = 'started'") > 0);
    assertThat(post(demo, "/tasks?n=10")).isEqualTo(202);

    long[] exit = sigterm(demo);

    assertThat(exit[0]).as("killed by the signal").isEqualTo(143);
    long stuck = jobs("claimed");
    System.out.println("JOBS-DRAIN drain=off exit=" + exit[0] + " claimed=" + stuck
        + " tasks=" + count("SELECT COUNT(*) FROM demo_tasks"));
    assertThat(stuck).as("jobs stuck as claimed").isPositive();
    assertThat(count("SELECT COUNT(*) FROM demo_tasks")).as("tasks that ran").isLessThan(10);
    assertThat(count("SELECT COUNT(*) FROM demo_ticks WHERE state = 'started'")).as("runs cut").isPositive();

    // A restart does not free them: they stay claimed once the queue is empty.
    start("-Dprobekit.demo.job-duration=20ms");
    await().atMost(Duration.ofSeconds(60)).until(() -> jobs("queued") == 0 && jobs("done") == JOBS - stuck);
    assertThat(jobs("claimed")).isEqualTo(stuck);
  }
}

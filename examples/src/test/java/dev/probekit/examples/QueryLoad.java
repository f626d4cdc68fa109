package dev.probekit.examples;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Clients calling the demo's {@code GET /} (one query through its pool) one request after
 * another, with a short pause between requests, every answer recorded with when it was sent and
 * how long it took. Also used by integration-tests (this module's test-jar).
 */
public final class QueryLoad implements AutoCloseable {
  /**
   * One answer.
   *
   * @param atNanos when it was sent ({@link System#nanoTime()})
   * @param status the HTTP status, or -1 for an I/O error
   * @param body the body, or the error
   * @param millis how long it took
   */
  public record Answer(long atNanos, int status, String body, long millis) {
    /** When the answer arrived ({@link System#nanoTime()}). */
    public long endNanos() {
      return atNanos + millis * 1_000_000;
    }
  }

  private final List<Answer> answers = new CopyOnWriteArrayList<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final List<Thread> threads = new ArrayList<>();

  private QueryLoad() {}

  /**
   * Starts {@code clients} clients on {@code 127.0.0.1:port}, each with its own keep-alive
   * connection, pausing {@code pace} between requests.
   */
  public static QueryLoad start(int port, int clients, Duration pace) {
    QueryLoad load = new QueryLoad();
    URI uri = URI.create("http://127.0.0.1:" + port + "/");
    for (int i = 0; i < clients; i++) {
      HttpClient client =
          HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
      Thread t = new Thread(() -> load.run(client, uri, pace), "query-load-" + i);
      t.setDaemon(true);
      load.threads.add(t);
      t.start();
    }
    return load;
  }

  private void run(HttpClient client, URI uri, Duration pace) {
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build();
    while (!stop.get()) {
      long t = System.nanoTime();
      try {
        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
        answers.add(new Answer(t, r.statusCode(), r.body(), (System.nanoTime() - t) / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        answers.add(new Answer(t, -1, e.toString(), (System.nanoTime() - t) / 1_000_000));
      }
      LockSupport.parkNanos(pace.toNanos()); // a client's pace, not a wait for a condition
    }
  }

  /** Every answer so far. */
  public List<Answer> answers() {
    return List.copyOf(answers);
  }

  /** Answers to requests sent after {@code nanos}. */
  public List<Answer> sentAfter(long nanos) {
    return answers.stream().filter(a -> a.atNanos() > nanos).toList();
  }

  /** Answers with {@code status} to requests sent after {@code nanos}. */
  public long count(long nanos, int status) {
    return answers.stream().filter(a -> a.atNanos() > nanos && a.status() == status).count();
  }

  /**
   * Requests sent after {@code fromNanos} whose answers arrived before {@code toNanos}: the ones
   * that saw only the state in between.
   */
  public List<Answer> within(long fromNanos, long toNanos) {
    return answers.stream().filter(a -> a.atNanos() > fromNanos && a.endNanos() < toNanos).toList();
  }

  /** Stops the clients and waits for them. */
  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    for (Thread t : threads) {
      t.join(15_000);
    }
  }
}

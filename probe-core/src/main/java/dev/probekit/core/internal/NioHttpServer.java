package dev.probekit.core.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP/1.1 server on {@code java.nio}: one {@link Selector} on one daemon thread of its
 * own, no executor, no blocking call, so no peer can hold what another peer needs. Each request
 * head goes to an {@link HttpHandler}; its {@link HttpAnswer} is written as pre-rendered bytes.
 *
 * <p>What a peer may cost is bounded ({@link ServerLimits}): a head of at most {@value
 * HeadParser#MAX_HEAD_BYTES} bytes (else 431, or 414 while the request line is unfinished) within
 * the head deadline from its first byte (else the connection closes); an idle keep-alive connection
 * closes after the idle timeout, as does one whose peer stops reading our answer. At the connection
 * cap a new connection evicts one: a connection already closing, else the one idle longest, else
 * the one that has been sending its head longest (it is closest to its deadline anyway, and a
 * probe that connects now sends its head at once), else the one whose peer has not read its
 * answer longest; only when every connection waits for an answer promised {@link
 * HttpAnswer#later later} is the new one closed unanswered. Pipelined requests are answered in order, one at a time; while an
 * answer is not fully written, nothing more is read. A request that declares a body is answered
 * with {@code Connection: close}; the body is never read into memory, only discarded while we
 * close.
 *
 * <p>A {@link Throwable} while serving one connection closes that connection and is logged (at
 * WARN the first time for its class, then at DEBUG); the loop goes on.
 */
public final class NioHttpServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NioHttpServer.class);
  private static final HttpAnswer UNAVAILABLE = HttpAnswer.text(503, "probe unavailable");
  private static final int MAX_ACCEPTS_PER_ROUND = 256;
  private static final long MIN_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  private static final long MAX_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  private final ServerSocketChannel serverChannel;
  private final Selector selector;
  private final HttpHandler handler;
  private final BooleanSupplier closeConnections;
  private final long headDeadlineNanos;
  private final long idleTimeoutNanos;
  private final int maxConnections;
  private final long tickNanos;
  private final InetSocketAddress address;
  private final Thread thread;
  private final Set<HttpConnection> connections = new LinkedHashSet<>();
  private final ConcurrentLinkedQueue<Runnable> completions = new ConcurrentLinkedQueue<>();
  private final ByteBuffer scratch = ByteBuffer.allocateDirect(16 * 1024);
  private final Set<Class<?>> loggedFailures = new HashSet<>();
  private boolean capLogged;
  private volatile boolean closed;

  private NioHttpServer(
      ServerSocketChannel serverChannel,
      Selector selector,
      ServerLimits limits,
      BooleanSupplier closeConnections,
      HttpHandler handler,
      String threadName)
      throws IOException {
    this.serverChannel = serverChannel;
    this.selector = selector;
    this.handler = handler;
    this.closeConnections = closeConnections;
    this.headDeadlineNanos = limits.headDeadline().toNanos();
    this.idleTimeoutNanos = limits.idleTimeout().toNanos();
    this.maxConnections = limits.maxConnections();
    // Deadlines are checked on a tick: a tenth of the shortest one keeps them within 10%.
    this.tickNanos =
        Math.max(MIN_TICK_NANOS, Math.min(MAX_TICK_NANOS, Math.min(headDeadlineNanos, idleTimeoutNanos) / 10));
    this.address = (InetSocketAddress) serverChannel.getLocalAddress();
    this.thread = new Thread(this::run, threadName);
    // Probe machinery must never keep a JVM alive that the application wants to exit.
    thread.setDaemon(true);
  }

  /**
   * Binds {@code address} and starts serving on a new daemon thread named {@code threadName}.
   *
   * @param address where to listen; port 0 picks a free one
   * @param backlog the listen backlog
   * @param limits what one peer may cost
   * @param closeConnections asked per answer: true makes it the connection's last ({@code
   *     Connection: close}), as while draining
   * @param handler answers each request
   * @param threadName the server thread's name
   * @throws IOException if the address cannot be bound
   */
  public static NioHttpServer start(
      InetSocketAddress address,
      int backlog,
      ServerLimits limits,
      BooleanSupplier closeConnections,
      HttpHandler handler,
      String threadName)
      throws IOException {
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(closeConnections, "closeConnections");
    Objects.requireNonNull(handler, "handler");
    ServerSocketChannel channel = ServerSocketChannel.open();
    Selector selector = null;
    try {
      channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      channel.bind(address, backlog);
      channel.configureBlocking(false);
      selector = Selector.open();
      channel.register(selector, SelectionKey.OP_ACCEPT);
      NioHttpServer server =
          new NioHttpServer(channel, selector, limits, closeConnections, handler, threadName);
      server.thread.start();
      return server;
    } catch (IOException | RuntimeException e) {
      channel.close();
      if (selector != null) {
        selector.close();
      }
      throw e;
    }
  }

  /** The address actually bound. */
  public InetSocketAddress address() {
    return address;
  }

  /** The thread that serves every connection. */
  public Thread thread() {
    return thread;
  }

  /**
   * Stops at once: closes every connection and the listening socket, and returns once the port is
   * free (waiting at most a few seconds for the server thread). Idempotent.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    selector.wakeup();
    if (Thread.currentThread() == thread) {
      return; // the loop closes everything as soon as this call returns to it
    }
    try {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    long nextTick = System.nanoTime() + tickNanos;
    try {
      while (!closed) {
        try {
          long wait = Math.max(1, TimeUnit.NANOSECONDS.toMillis(nextTick - System.nanoTime()));
          selector.select(wait);
          long now = System.nanoTime();
          for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
            SelectionKey key = it.next();
            it.remove();
            ready(key, now);
          }
          runCompletions();
          if (now - nextTick >= 0) {
            expire(now);
            nextTick = now + tickNanos;
          }
        } catch (ClosedSelectorException e) {
          return; // only shutdown() closes it
        } catch (Throwable t) {
          // Failures of one connection are caught where they happen; this is the loop's own (a
          // failing select, an Error). The thread must not die: every probe depends on it.
          logOnce("probe server loop failed; going on", t);
        }
      }
    } finally {
      shutdown();
    }
  }

  private void ready(SelectionKey key, long now) {
    if (key.attachment() == null) {
      accept(now);
      return;
    }
    HttpConnection connection = (HttpConnection) key.attachment();
    try {
      if (!key.isValid()) {
        connection.close();
      } else if ((key.interestOps() & SelectionKey.OP_WRITE) != 0) {
        connection.onWritable(now);
      } else {
        connection.onReadable(now);
      }
    } catch (IOException e) {
      peerGone(connection, e);
    } catch (Throwable t) {
      failed(connection, t);
    }
  }

  private void accept(long now) {
    for (int i = 0; i < MAX_ACCEPTS_PER_ROUND; i++) {
      SocketChannel channel;
      try {
        channel = serverChannel.accept();
      } catch (IOException e) {
        // Out of descriptors, say: keep serving the connections we have.
        log.debug("probe server accept failed: {}", e.toString());
        return;
      }
      if (channel == null) {
        return;
      }
      try {
        if (connections.size() >= maxConnections && !evictOne()) {
          channel.close();
          continue;
        }
        channel.configureBlocking(false);
        // Answers are one small write each; Nagle's algorithm would hold them for the peer's ACK.
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
        HttpConnection connection = new HttpConnection(this, channel, key, now);
        key.attach(connection);
        connections.add(connection);
        // A probe's request usually arrives with the connection: read it now, not one select later.
        ready(key, now);
      } catch (Throwable t) {
        closeQuietly(channel);
        logOnce("probe server could not set up a connection", t);
      }
    }
  }

  /**
   * Closes the connection that loses least, if any: one already closing, else the one idle
   * longest, else the one sending its head longest, else the one whose peer has not read its
   * answer longest. Never one waiting for an answer promised {@link HttpAnswer#later later}.
   */
  private boolean evictOne() {
    HttpConnection victim = null;
    for (HttpConnection c : connections) {
      int rank = c.evictionRank();
      if (rank < 0) {
        continue;
      }
      if (victim == null
          || rank < victim.evictionRank()
          || (rank == victim.evictionRank() && c.since() - victim.since() < 0)) {
        victim = c;
      }
    }
    if (!capLogged) {
      capLogged = true;
      log.info("probe server at its cap of {} connections: {} (logged once)", maxConnections,
          victim == null ? "refusing new ones" : "closing the least useful to make room");
    }
    if (victim == null) {
      return false;
    }
    victim.close();
    return true;
  }

  private void expire(long now) {
    List<HttpConnection> snapshot = new ArrayList<>(connections);
    for (HttpConnection connection : snapshot) {
      try {
        connection.expireIfDue(now);
      } catch (IOException e) {
        peerGone(connection, e);
      } catch (Throwable t) {
        failed(connection, t);
      }
    }
  }

  private void runCompletions() {
    Runnable completion;
    while ((completion = completions.poll()) != null) {
      completion.run();
    }
  }

  /** Called by a connection waiting for {@code later}: resumes it on this thread. */
  void whenComplete(HttpConnection connection, HttpAnswer promise) {
    promise.pending().whenComplete(
        (answer, error) -> {
          if (error != null) {
            log.debug("probe answer failed: {}", error.toString());
          }
          completions.add(
              () -> {
                try {
                  connection.completed(promise, error == null ? answer : null, System.nanoTime());
                } catch (IOException e) {
                  peerGone(connection, e);
                } catch (Throwable t) {
                  failed(connection, t);
                }
              });
          selector.wakeup();
        });
  }

  /**
   * Runs {@code task} on the server's thread soon, from any thread, without blocking: for a
   * handler's wake-ups (a long-poll watcher to look again). Dropped once the server is closed.
   */
  public void execute(Runnable task) {
    Objects.requireNonNull(task, "task");
    if (closed) {
      return;
    }
    completions.add(
        () -> {
          try {
            task.run();
          } catch (Throwable t) {
            logOnce("probe server task failed", t);
          }
        });
    selector.wakeup();
  }

  /** The handler's answer; a handler that throws gets a short 503 and a log line, never more. */
  HttpAnswer answer(RequestHead head) {
    try {
      HttpAnswer answer = handler.handle(head);
      return answer != null ? answer : UNAVAILABLE;
    } catch (Throwable t) {
      logOnce("probe handler failed on " + head, t);
      return UNAVAILABLE;
    }
  }

  boolean closeConnections() {
    return closed || closeConnections.getAsBoolean();
  }

  long headDeadlineNanos() {
    return headDeadlineNanos;
  }

  long idleTimeoutNanos() {
    return idleTimeoutNanos;
  }

  /** A buffer for discarding input, shared by every connection of this (single-threaded) server. */
  ByteBuffer scratch() {
    return scratch;
  }

  void closed(HttpConnection connection) {
    connections.remove(connection);
  }

  /** The peer reset or vanished: an ordinary end for a connection, not a failure of ours. */
  private void peerGone(HttpConnection connection, IOException e) {
    connection.close();
    log.debug("probe connection closed: {}", e.toString());
  }

  private void failed(HttpConnection connection, Throwable t) {
    connection.close();
    logOnce("probe server closed a connection after an unexpected failure", t);
  }

  private void logOnce(String message, Throwable t) {
    if (loggedFailures.add(t.getClass())) {
      log.warn("{} (further {} are logged at DEBUG)", message, t.getClass().getSimpleName(), t);
    } else {
      log.debug("{}: {}", message, t.toString());
    }
  }

  private void shutdown() {
    for (HttpConnection connection : new ArrayList<>(connections)) {
      connection.close();
    }
    closeQuietly(serverChannel);
    try {
      selector.close();
    } catch (IOException e) {
      log.debug("probe server selector close failed: {}", e.toString());
    }
  }

  private static void closeQuietly(java.nio.channels.Channel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // Releasing a socket that is already broken: nothing left to release.
    }
  }

  @Override
  public String toString() {
    return "NioHttpServer{" + address + ", " + connections.size() + " connections}";
  }
}

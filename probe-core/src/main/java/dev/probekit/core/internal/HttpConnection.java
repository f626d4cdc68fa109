package dev.probekit.core.internal;

import dev.probekit.core.internal.HttpAnswer.Persistence;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One accepted connection of {@link NioHttpServer} and where it is in its life:
 *
 * <pre>
 *   READING ──head──> answer ready ──written──> READING (keep-alive) or LINGERING (close)
 *      │                   └─not all written──> WRITING (no reading) ──written──> as above
 *      └──head──> answer later ──> WAITING (no reading) ──completed──> as above
 *   LINGERING: output shut down, input read and discarded until EOF, a budget or a deadline
 * </pre>
 *
 * <p>At most one answer is in flight and at most {@link HeadParser#MAX_HEAD_BYTES} of requests are
 * buffered: a peer that pipelines without reading our answers is simply not read any more. Only
 * the server's thread touches it.
 */
final class HttpConnection {
  enum State {
    READING,
    WRITING,
    WAITING,
    LINGERING,
    CLOSED
  }

  private final NioHttpServer server;
  private final SocketChannel channel;
  private final SelectionKey key;
  private final byte[] in = new byte[HeadParser.MAX_HEAD_BYTES];
  private final ByteBuffer inBuffer = ByteBuffer.wrap(in);
  private int filled;
  private int scanned;
  private State state = State.READING;
  private ByteBuffer[] pending;
  private boolean closeAfterWrite;
  private RequestHead waitingFor;
  /** The answer promised {@link HttpAnswer#later later} that this connection waits for. */
  private HttpAnswer waitingOn;
  /** For a {@link HttpAnswer#watch watch}: when its wait is over. */
  private long waitDeadline;
  /** When the current head's first byte arrived, or -1 between requests. */
  private long headStarted = -1;
  /** When the connection last made progress: accepted, answered, or wrote part of an answer. */
  private long lastProgress;
  private long lingerDeadline;
  private long discarded;

  HttpConnection(NioHttpServer server, SocketChannel channel, SelectionKey key, long now) {
    this.server = server;
    this.channel = channel;
    this.key = key;
    this.lastProgress = now;
  }

  /**
   * Which connection to close first when a new one needs room, lowest first: 0 already answered
   * and closing, 1 idle between requests, 2 sending a head, 3 not reading its answer, 4 a
   * long-poll watcher (it reconnects); -1 never (waiting for a pre-stop answer).
   */
  int evictionRank() {
    switch (state) {
      case LINGERING:
        return 0;
      case READING:
        return headStarted < 0 ? 1 : 2;
      case WRITING:
        return 3;
      case WAITING:
        return waitingOn != null && waitingOn.isWatch() ? 4 : -1;
      default:
        return -1;
    }
  }

  /** Since when it has been in its current rank (idle, sending its head, stalled), oldest first. */
  long since() {
    return state == State.READING && headStarted >= 0 ? headStarted : lastProgress;
  }

  void onReadable(long now) throws IOException {
    if (state == State.LINGERING) {
      discard(now);
      return;
    }
    if (state == State.WAITING) {
      watchPeer();
      return;
    }
    if (state != State.READING) {
      return;
    }
    inBuffer.limit(in.length).position(filled);
    int read = channel.read(inBuffer);
    if (read < 0) {
      close();
      return;
    }
    if (read > 0 && headStarted < 0) {
      headStarted = now;
    }
    filled += read;
    process(now);
  }

  void onWritable(long now) throws IOException {
    if (state != State.WRITING) {
      return;
    }
    long written = channel.write(pending);
    if (written > 0) {
      lastProgress = now;
    }
    if (!pending[pending.length - 1].hasRemaining()) {
      pending = null;
      written(now);
      process(now);
    }
  }

  /**
   * A watcher's peer may leave while it waits: read (and keep, for after the answer) what it
   * pipelines, and close on its EOF, so that a vanished watcher frees its slot at once. Once the
   * buffer is full, stop reading, as between any two answers.
   */
  private void watchPeer() throws IOException {
    if (filled == in.length) {
      key.interestOps(0);
      return;
    }
    inBuffer.limit(in.length).position(filled);
    int read = channel.read(inBuffer);
    if (read < 0) {
      close();
      return;
    }
    filled += read;
  }

  /** Closes it if a deadline passed; true if it did. */
  boolean expireIfDue(long now) throws IOException {
    boolean expired;
    switch (state) {
      case READING:
        expired = headStarted >= 0
            ? now - headStarted > server.headDeadlineNanos()
            : now - lastProgress > server.idleTimeoutNanos();
        break;
      case WRITING:
        expired = now - lastProgress > server.idleTimeoutNanos();
        break;
      case LINGERING:
        expired = now - lingerDeadline > 0;
        break;
      case WAITING:
        // A watch answers when its wait is over; a pre-stop's own future decides (it may be long).
        if (waitingOn.isWatch() && now - waitDeadline > 0) {
          completed(waitingOn, waitingOn.timedOut(), now);
        }
        expired = false;
        break;
      default:
        // CLOSED: done.
        expired = false;
    }
    if (expired) {
      close();
    }
    return expired;
  }

  /**
   * The answer promised by {@code promise} for the request this connection waits for, or {@code
   * null} on failure. Ignored if the connection no longer waits for that promise (a watch that
   * timed out, then completed).
   */
  void completed(HttpAnswer promise, HttpAnswer answer, long now) throws IOException {
    if (state != State.WAITING || waitingOn != promise) {
      return;
    }
    RequestHead head = waitingFor;
    waitingFor = null;
    waitingOn = null;
    if (answer == null || answer.pending() != null) {
      close();
      return;
    }
    send(answer, persistence(head), now);
    process(now);
  }

  /** Answers every complete head buffered, in order, until one is not answered at once. */
  private void process(long now) throws IOException {
    while (state == State.READING) {
      int skip = HeadParser.leadingEmptyLines(in, filled);
      if (skip > 0) {
        consume(skip);
      }
      int end;
      RequestHead head;
      try {
        end = HeadParser.endOfHead(in, scanned, filled);
        if (end < 0) {
          scanned = Math.max(0, filled - 2);
          key.interestOps(SelectionKey.OP_READ);
          return;
        }
        head = HeadParser.parse(in, end);
      } catch (HeadParser.Rejection rejection) {
        send(rejection.answer, Persistence.CLOSE, now);
        return;
      }
      consume(end);
      HttpAnswer answer = server.answer(head);
      if (answer.pending() != null) {
        state = State.WAITING;
        waitingFor = head;
        waitingOn = answer;
        if (answer.isWatch()) {
          waitDeadline = now + answer.timeoutNanos();
          // Reads only to notice the peer leaving; see watchPeer().
          key.interestOps(filled == in.length ? 0 : SelectionKey.OP_READ);
        } else {
          key.interestOps(0);
        }
        server.whenComplete(this, answer);
        return;
      }
      send(answer, persistence(head), now);
    }
  }

  private Persistence persistence(RequestHead head) {
    if (!head.keepAlive() || server.closeConnections()) {
      return Persistence.CLOSE;
    }
    return head.minorVersion() == 0 ? Persistence.KEEP_ALIVE_HTTP10 : Persistence.KEEP_ALIVE;
  }

  private void send(HttpAnswer answer, Persistence persistence, long now) throws IOException {
    ByteBuffer[] wire = answer.wire(persistence);
    closeAfterWrite = persistence == Persistence.CLOSE;
    channel.write(wire);
    if (wire[wire.length - 1].hasRemaining()) {
      pending = wire;
      state = State.WRITING;
      lastProgress = now;
      key.interestOps(SelectionKey.OP_WRITE);
    } else {
      written(now);
    }
  }

  private void written(long now) throws IOException {
    lastProgress = now;
    if (closeAfterWrite) {
      linger(now);
      return;
    }
    state = State.READING;
    // A pipelined head already buffered starts its deadline now.
    headStarted = filled > 0 ? now : -1;
    key.interestOps(SelectionKey.OP_READ);
  }

  /**
   * Shuts our side down and reads what the peer still sends, discarding it, before closing: closing
   * with unread input would send a reset, which can destroy our answer before the peer reads it.
   */
  private void linger(long now) throws IOException {
    state = State.LINGERING;
    filled = 0;
    lingerDeadline = now + server.headDeadlineNanos();
    channel.shutdownOutput();
    key.interestOps(SelectionKey.OP_READ);
  }

  private void discard(long now) throws IOException {
    ByteBuffer scratch = server.scratch();
    int read;
    do {
      scratch.clear();
      read = channel.read(scratch);
      discarded += Math.max(read, 0);
    } while (read > 0 && discarded <= HeadParser.MAX_DISCARDED_BODY);
    if (read < 0 || discarded > HeadParser.MAX_DISCARDED_BODY) {
      close();
    }
  }

  private void consume(int count) {
    System.arraycopy(in, count, in, 0, filled - count);
    filled -= count;
    scanned = 0;
  }

  void close() {
    if (state == State.CLOSED) {
      return;
    }
    HttpAnswer abandoned = state == State.WAITING ? waitingOn : null;
    state = State.CLOSED;
    pending = null;
    waitingOn = null;
    if (abandoned != null && abandoned.isWatch()) {
      abandoned.abandoned();
    }
    key.cancel();
    try {
      channel.close();
    } catch (IOException e) {
      // Closing a socket the peer already reset: nothing is left to release.
    }
    server.closed(this);
  }
}

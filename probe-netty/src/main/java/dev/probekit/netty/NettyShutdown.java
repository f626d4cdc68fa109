package dev.probekit.netty;

import dev.probekit.core.internal.Arguments;
import dev.probekit.core.internal.Durations;
import dev.probekit.core.lifecycle.Lifecycle;
import io.netty.channel.Channel;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ties a Netty server to a {@link Lifecycle}: at {@link
 * dev.probekit.core.lifecycle.DrainPhase#STOP_ACCEPTING} it closes the server channel(s), and after the
 * drain, as a shutdown task, it shuts the event loop groups down gracefully within the remaining
 * budget.
 *
 * <pre>{@code
 * Channel server = bootstrap.bind(8080).sync().channel();
 * NettyShutdown.of(lifecycle, server, bossGroup, workerGroup, appExecutors); // loops first
 * }</pre>
 *
 * <p>Register it after the probe server's own shutdown task, so that the probe server (whose task
 * runs in reverse order) closes last. Pair it with {@link NettyDrain}, which counts the requests
 * the drain waits for and closes idle connections.
 *
 * <p>Thread-safe. Never call its methods from an event loop of the groups it shuts down.
 */
public final class NettyShutdown {
  private static final Logger log = LoggerFactory.getLogger(NettyShutdown.class);

  /** Default name in logs and the shutdown summary: {@value}. */
  public static final String DEFAULT_NAME = "netty";

  /**
   * Default quiet period of {@code shutdownGracefully}: 100 ms. After the drain nothing should be
   * submitted any more, so a long quiet period would only spend the grace period.
   */
  public static final Duration DEFAULT_QUIET_PERIOD = Duration.ofMillis(100);

  /** Default timeout of the event loop shutdown: {@link Lifecycle#DEFAULT_TASK_TIMEOUT} (5 s). */
  public static final Duration DEFAULT_TIMEOUT = Lifecycle.DEFAULT_TASK_TIMEOUT;

  /** How long stopping to accept waits for a server channel to close. */
  private static final long CLOSE_WAIT_MILLIS = 2_000;

  private final String name;
  private final List<Channel> serverChannels;
  private final List<EventExecutorGroup> groups;
  private final Duration quietPeriod;
  private final Duration timeout;

  private NettyShutdown(Builder b) {
    this.name = b.name;
    this.serverChannels = List.copyOf(b.serverChannels);
    this.groups = List.copyOf(b.groups);
    this.quietPeriod = b.quietPeriod;
    this.timeout = b.timeout;
  }

  /**
   * Registers a server with the defaults: closes {@code serverChannel} when the lifecycle stops
   * accepting, then shuts {@code groups} down after the drain.
   *
   * @param lifecycle the lifecycle to register with
   * @param serverChannel the bound server channel
   * @param groups the event loop groups and executor groups to shut down, in this order: typically
   *     the boss and worker groups, then the application's executor group
   * @return the registration
   */
  public static NettyShutdown of(
      Lifecycle lifecycle, Channel serverChannel, EventExecutorGroup... groups) {
    Builder builder = builder(lifecycle).serverChannel(serverChannel);
    for (EventExecutorGroup group : groups) {
      builder.eventLoopGroup(group);
    }
    return builder.register();
  }

  /**
   * A builder registering with {@code lifecycle}.
   *
   * @param lifecycle the lifecycle to register with
   * @return a new builder
   */
  public static Builder builder(Lifecycle lifecycle) {
    return new Builder(lifecycle);
  }

  /**
   * Closes the server channels and waits briefly (at most 2 s each) until they are closed: what
   * the lifecycle runs at STOP_ACCEPTING. Open connections stay open. Idempotent.
   */
  public void stopAccepting() {
    for (Channel channel : serverChannels) {
      if (!channel.close().awaitUninterruptibly(CLOSE_WAIT_MILLIS)) {
        log.warn("{}: server channel {} not closed after {} ms", name, channel, CLOSE_WAIT_MILLIS);
      }
    }
    log.info("{}: stopped accepting on {}", name, serverChannels);
  }

  /**
   * Shuts the groups down gracefully, one after the other in the order given, for at most the
   * timeout in all: the shutdown task the lifecycle runs after the drain, which it caps by the
   * remaining budget. The order matters when pipelines run handlers on executor groups: list the
   * event loop groups first, so connections close while those executors still run.
   *
   * @throws TimeoutException if a group has not terminated in time
   * @throws InterruptedException if interrupted, which is how the lifecycle says time is up
   */
  public void shutdownEventLoops() throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long quiet = quietPeriod.toNanos();
    for (EventExecutorGroup group : groups) {
      long left = deadline - System.nanoTime();
      Future<?> terminated =
          group.shutdownGracefully(
              Math.min(quiet, Math.max(left, 0)), Math.max(left, 1), TimeUnit.NANOSECONDS);
      if (!terminated.await(Math.max(left, 0), TimeUnit.NANOSECONDS)) {
        throw new TimeoutException(
            name + ": " + group + " not terminated within " + Durations.format(timeout));
      }
    }
  }

  @Override
  public String toString() {
    return "NettyShutdown{" + name + ", servers=" + serverChannels + ", groups=" + groups.size()
        + ", quietPeriod=" + Durations.format(quietPeriod) + ", timeout="
        + Durations.format(timeout) + '}';
  }

  /** Builds and registers a {@link NettyShutdown}. */
  public static final class Builder {
    private final Lifecycle lifecycle;
    private final List<Channel> serverChannels = new ArrayList<>();
    private final List<EventExecutorGroup> groups = new ArrayList<>();
    private String name = DEFAULT_NAME;
    private Duration quietPeriod = DEFAULT_QUIET_PERIOD;
    private Duration timeout = DEFAULT_TIMEOUT;

    Builder(Lifecycle lifecycle) {
      this.lifecycle = Objects.requireNonNull(lifecycle, "lifecycle");
    }

    /**
     * The name in logs and the shutdown summary; default {@value #DEFAULT_NAME}.
     *
     * @param name the name; not empty
     * @return this builder
     */
    public Builder name(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isEmpty()) {
        throw new IllegalArgumentException("name: '' (expected: not empty)");
      }
      this.name = name;
      return this;
    }

    /**
     * A server channel to close when the lifecycle stops accepting; repeatable.
     *
     * @param serverChannel a bound server channel
     * @return this builder
     */
    public Builder serverChannel(Channel serverChannel) {
      serverChannels.add(Objects.requireNonNull(serverChannel, "serverChannel"));
      return this;
    }

    /**
     * An event loop group (or any executor group, such as the application's) to shut down after
     * the drain; repeatable. Groups are shut down in the order added: event loops first.
     *
     * @param group the group
     * @return this builder
     */
    public Builder eventLoopGroup(EventExecutorGroup group) {
      groups.add(Objects.requireNonNull(group, "group"));
      return this;
    }

    /**
     * The quiet period of {@code shutdownGracefully}; default {@link #DEFAULT_QUIET_PERIOD}.
     *
     * @param quietPeriod the quiet period; zero or positive
     * @return this builder
     */
    public Builder quietPeriod(Duration quietPeriod) {
      Objects.requireNonNull(quietPeriod, "quietPeriod");
      if (quietPeriod.isNegative()) {
        throw new IllegalArgumentException("quietPeriod: " + quietPeriod + " (expected: >= 0)");
      }
      this.quietPeriod = quietPeriod;
      return this;
    }

    /**
     * The longest wait for the groups to terminate, and the shutdown task's timeout; default
     * {@link #DEFAULT_TIMEOUT}. The lifecycle caps it by what is left of the grace period.
     *
     * @param timeout the timeout; positive
     * @return this builder
     */
    public Builder timeout(Duration timeout) {
      Arguments.positive("timeout", timeout);
      this.timeout = timeout;
      return this;
    }

    /**
     * Registers the stop-accepting action and the shutdown task with the lifecycle.
     *
     * @return the registration
     * @throws IllegalArgumentException if the quiet period is not shorter than the timeout
     */
    public NettyShutdown register() {
      if (quietPeriod.compareTo(timeout) >= 0) {
        throw new IllegalArgumentException(
            "quietPeriod: " + quietPeriod + " (expected: < timeout " + timeout + ")");
      }
      NettyShutdown shutdown = new NettyShutdown(this);
      if (!shutdown.serverChannels.isEmpty()) {
        lifecycle.onStopAccepting(name, shutdown::stopAccepting);
      }
      if (!shutdown.groups.isEmpty()) {
        lifecycle.addShutdownTask(name, timeout, shutdown::shutdownEventLoops);
      }
      return shutdown;
    }
  }
}

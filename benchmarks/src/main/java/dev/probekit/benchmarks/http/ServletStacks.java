package dev.probekit.benchmarks.http;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.servlet.ProbeServlets;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.ee11.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Servlet containers with Probekit's servlet and filter registered by {@link ProbeServlets}, and a
 * constant-{@code ok} servlet at {@code /ok} in the same context (so the {@code ok} path also
 * passes the in-flight filter, as any application request does).
 */
final class ServletStacks {
  private static final byte[] OK = "ok".getBytes(StandardCharsets.UTF_8);

  private ServletStacks() {}

  /** Answers {@code ok} with the probe's headers; {@code /slow} first blocks {@code slowMillis}. */
  static final class OkServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient AtomicInteger active;
    private final long slowMillis;

    OkServlet(AtomicInteger active, long slowMillis) {
      this.active = active;
      this.slowMillis = slowMillis;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      if (slowMillis > 0 && req.getRequestURI().startsWith("/slow")) {
        active.incrementAndGet();
        try {
          SlowWork.sleep(slowMillis);
        } finally {
          active.decrementAndGet();
        }
      }
      resp.setStatus(200);
      resp.setContentType("text/plain; charset=utf-8");
      resp.setHeader("Cache-Control", "no-store");
      resp.setHeader("X-Content-Type-Options", "nosniff");
      resp.setContentLength(OK.length);
      resp.getOutputStream().write(OK);
    }
  }

  /**
   * A container that serves everything on one loopback port: the probes, {@code /ok} and {@code
   * /slow}. In an overload scenario {@code workers} of its threads are kept busy on {@code /slow}.
   */
  abstract static class Container implements Stack, OverloadScenario {
    final HealthRegistry health = BuiltInStack.readyHealth();
    final AtomicInteger active = new AtomicInteger();
    private final String product;
    private final int workers;

    Container(String product, int workers) {
      this.product = product;
      this.workers = workers;
    }

    /** The port the started container listens on. */
    abstract int port();

    /** Stops the container. */
    abstract void stop() throws Exception;

    private InetSocketAddress address() {
      return new InetSocketAddress(InetAddress.getLoopbackAddress(), port());
    }

    @Override
    public String name() {
      return workers > 0 ? product + ", " + workers + " busy of its pool" : product + " (ProbeServlet)";
    }

    @Override public InetSocketAddress probeAddress() { return address(); }
    @Override public String probePath() { return "/readyz"; }
    @Override public InetSocketAddress okAddress() { return address(); }
    @Override public String okPath() { return "/ok"; }
    @Override public int workers() { return workers; }
    @Override public InetSocketAddress slowAddress() { return address(); }
    @Override public InetSocketAddress appOkAddress() { return address(); }
    @Override public boolean allWorkersBusy() { return active.get() >= workers; }
    // Servlet probes are served by the container's own pool: DESIGN.md sets no budget here.
    @Override public boolean budgeted() { return false; }

    @Override
    public void close() {
      try {
        stop();
      } catch (Exception e) {
        throw new IllegalStateException(product + " did not stop", e);
      } finally {
        health.close();
      }
    }
  }

  /** Embedded Jetty 12.1 (ee11), default thread pool unless {@code maxThreads > 0}. */
  static final class Jetty extends Container {
    private final Server server;

    Jetty(int maxThreads, int workers, long slowMillis) {
      super("Jetty 12.1 ee11", workers);
      server =
          maxThreads > 0
              ? new Server(new org.eclipse.jetty.util.thread.QueuedThreadPool(maxThreads, maxThreads))
              : new Server();
      ServerConnector connector = new ServerConnector(server);
      connector.setHost(InetAddress.getLoopbackAddress().getHostAddress());
      connector.setPort(0);
      server.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler("/");
      context.addServletContainerInitializer(
          (c, ctx) -> ProbeServlets.register(ctx, ProbeEndpoints.of(health)));
      context.addServlet(new ServletHolder(new OkServlet(active, slowMillis)), "/ok");
      context.addServlet(new ServletHolder(new OkServlet(active, slowMillis)), "/slow");
      server.setHandler(context);
      try {
        server.start();
      } catch (Exception e) {
        throw new IllegalStateException("Jetty did not start", e);
      }
    }

    @Override
    int port() {
      return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    @Override
    void stop() throws Exception {
      server.stop();
    }
  }

  /** Embedded Tomcat 11, default connector unless {@code maxThreads > 0}. */
  static final class TomcatStack extends Container {
    private final Tomcat tomcat = new Tomcat();

    TomcatStack(int maxThreads, int workers, long slowMillis) {
      super("Tomcat 11", workers);
      tomcat.setBaseDir(System.getProperty("java.io.tmpdir") + "/probekit-bench-tomcat-" + ProcessHandle.current().pid());
      Connector connector = new Connector();
      connector.setPort(0);
      connector.setProperty("address", InetAddress.getLoopbackAddress().getHostAddress());
      if (maxThreads > 0) {
        connector.setProperty("maxThreads", Integer.toString(maxThreads));
        connector.setProperty("minSpareThreads", Integer.toString(maxThreads));
      }
      tomcat.setConnector(connector);
      Context context = tomcat.addContext("", null);
      context.addServletContainerInitializer(
          (c, ctx) -> ProbeServlets.register(ctx, ProbeEndpoints.of(health)), null);
      Tomcat.addServlet(context, "ok", new OkServlet(active, slowMillis));
      context.addServletMappingDecoded("/ok", "ok");
      context.addServletMappingDecoded("/slow", "ok");
      try {
        tomcat.start();
      } catch (LifecycleException e) {
        throw new IllegalStateException("Tomcat did not start", e);
      }
    }

    @Override
    int port() {
      return tomcat.getConnector().getLocalPort();
    }

    @Override
    void stop() throws LifecycleException {
      tomcat.stop();
      tomcat.destroy();
    }
  }
}

package dev.probekit.it.fuzz;

import dev.probekit.core.Health;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Set;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** Fuzzes probe-servlet's ProbeServlet on embedded Jetty 12.1 (ee11), default configuration. */
class JettyFuzzTest extends MalformedRequestFuzzTest {
  private Health health;
  private Server server;

  @Override
  protected InetSocketAddress start() throws Exception {
    health = FuzzHealth.create();
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    // Otherwise a request target without a path ("GET ?x") is redirected (301) to the context
    // root by Jetty itself; probes must never see a redirect.
    context.setAllowNullPathInContext(true);
    context.addServletContainerInitializer(FuzzHealth.servlets(health));
    server.setHandler(context);
    server.start();
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), connector.getLocalPort());
  }

  @Override
  protected void stop() throws Exception {
    server.stop();
    health.close();
  }

  /**
   * Jetty answers these itself while parsing, before the servlet: 505 for an HTTP version it does
   * not speak, 501 for an unknown transfer coding, 426 for some upgrade and HTTP/2-style requests
   * on an HTTP/1.1-only connector, 417 for an Expect header it does not know. All as RFC
   * 9110/9112 allow; none carries exception text.
   */
  @Override
  protected Set<Integer> protocolStatuses() {
    return Set.of(417, 426, 501, 505);
  }

  @Override
  protected String target() {
    return "Jetty+ProbeServlet";
  }
}

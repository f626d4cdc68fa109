package dev.probekit.servlet;

import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.servlet.jetty.JettyStopHook;
import jakarta.servlet.ServletContainerInitializer;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** Embedded Jetty 12.1 (ee11) with one {@link ServletContextHandler}. */
final class JettyContainer implements TestContainer {
  private final Server server = new Server();
  private final ServerConnector connector = new ServerConnector(server);

  JettyContainer() {
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
  }

  @Override
  public String name() {
    return "jetty";
  }

  @Override
  public void registerStopHook(Lifecycle lifecycle) {
    JettyStopHook.register(server, lifecycle);
  }

  @Override
  public int start(String contextPath, ServletContainerInitializer setup) throws Exception {
    ServletContextHandler context =
        new ServletContextHandler(contextPath.isEmpty() ? "/" : contextPath);
    context.addServletContainerInitializer(setup);
    server.setHandler(context);
    server.start();
    return connector.getLocalPort();
  }

  @Override
  public boolean isStopped() {
    return server.isStopped();
  }

  @Override
  public void close() throws Exception {
    if (!server.isStopped()) {
      server.stop();
    }
  }
}

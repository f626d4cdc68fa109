package dev.probekit.servlet;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.servlet.jetty.JettyStopHook;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** Child JVM with Jetty and no Tomcat on its classpath: the adapter and the Jetty hook work. */
public final class JettyOnlyMain {
  private JettyOnlyMain() {}

  public static void main(String[] args) throws Exception {
    SingleContainerMain.reportAbsent("org.apache.catalina.startup.Tomcat", "tomcat");
    HealthRegistry health = SingleContainerMain.health();
    Lifecycle lifecycle = SingleContainerMain.lifecycle(health);
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    context.addServletContainerInitializer(
        ProbeServlets.initializer(SingleContainerMain.endpoints(health), lifecycle));
    context.addServlet(new Hello(), "/hello");
    server.setHandler(context);
    JettyStopHook.register(server, lifecycle);
    server.start();
    SingleContainerMain.exercise(connector.getLocalPort(), lifecycle, server::isStopped);
    health.close();
    System.out.println("JETTY-ONLY-OK");
    System.exit(0);
  }

  /** The application. */
  public static final class Hello extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      response.getWriter().write("hello");
    }
  }
}

package dev.probekit.docs;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.servlet.ProbeServlets;
import dev.probekit.servlet.jetty.JettyStopHook;
import dev.probekit.servlet.tomcat.TomcatStopHook;
import jakarta.servlet.http.HttpServlet;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;

/** The embedded-container samples of docs/servlet.md (the WAR's listener is {@link Probes}). */
final class ServletSnippets {

  private ServletSnippets() {}

  static void jetty() throws Exception {
    // tag::jetty[]
    HealthRegistry health = HealthRegistry.builder().build();
    Lifecycle lifecycle = Lifecycle.builder(health).build();
    ProbeEndpoints endpoints = ProbeEndpoints.of(health);

    Server server = new Server(8080);
    ServletContextHandler context = new ServletContextHandler("/");
    context.addServletContainerInitializer(ProbeServlets.initializer(endpoints, lifecycle));
    context.addServlet(new MyAppServlet(), "/api/*");
    server.setHandler(context);
    JettyStopHook.register(server, lifecycle); // connectors shut at STOP_ACCEPTING, server stops after the drain
    server.start();
    lifecycle.installSignalHandler();
    // end::jetty[]
  }

  static void tomcat(ProbeEndpoints endpoints, Lifecycle lifecycle) throws Exception {
    // tag::tomcat[]
    Tomcat tomcat = new Tomcat();
    tomcat.setPort(8080);
    tomcat.getConnector();
    Context context = tomcat.addContext("", null);
    context.addServletContainerInitializer(ProbeServlets.initializer(endpoints, lifecycle), null);
    Tomcat.addServlet(context, "app", new MyAppServlet());
    context.addServletMappingDecoded("/api/*", "app");
    TomcatStopHook.register(tomcat, lifecycle); // before start(): it makes the connectors bind on start
    tomcat.start();
    lifecycle.installSignalHandler();
    // end::tomcat[]
  }

  /** The application's servlet. */
  static final class MyAppServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
  }
}

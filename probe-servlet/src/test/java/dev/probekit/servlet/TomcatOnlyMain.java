package dev.probekit.servlet;

import dev.probekit.core.HealthRegistry;
import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.servlet.tomcat.TomcatStopHook;
import java.nio.file.Files;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/** Child JVM with Tomcat and no Jetty on its classpath: the adapter and the Tomcat hook work. */
public final class TomcatOnlyMain {
  private TomcatOnlyMain() {}

  public static void main(String[] args) throws Exception {
    SingleContainerMain.reportAbsent("org.eclipse.jetty.server.Server", "jetty");
    HealthRegistry health = SingleContainerMain.health();
    Lifecycle lifecycle = SingleContainerMain.lifecycle(health);
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(Files.createTempDirectory("probekit-tomcat-only").toString());
    tomcat.setPort(0);
    Connector connector = tomcat.getConnector();
    connector.setProperty("address", "127.0.0.1");
    Context context = tomcat.addContext("", null);
    context.addServletContainerInitializer(
        ProbeServlets.initializer(SingleContainerMain.endpoints(health), lifecycle), null);
    Tomcat.addServlet(context, "hello", new JettyOnlyMain.Hello());
    context.addServletMappingDecoded("/hello", "hello");
    TomcatStopHook.register(tomcat, lifecycle);
    tomcat.start();
    SingleContainerMain.exercise(
        connector.getLocalPort(),
        lifecycle,
        () -> tomcat.getServer().getState() == LifecycleState.DESTROYED);
    health.close();
    System.out.println("TOMCAT-ONLY-OK");
    System.exit(0);
  }
}

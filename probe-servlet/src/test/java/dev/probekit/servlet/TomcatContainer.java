package dev.probekit.servlet;

import dev.probekit.core.lifecycle.Lifecycle;
import dev.probekit.servlet.tomcat.TomcatStopHook;
import jakarta.servlet.ServletContainerInitializer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;

/** Embedded Tomcat 11 with one programmatic context. */
final class TomcatContainer implements TestContainer {
  final Tomcat tomcat = new Tomcat();
  final Connector connector;
  final Path baseDir;

  TomcatContainer() throws IOException {
    baseDir = Files.createTempDirectory("probekit-tomcat");
    tomcat.setBaseDir(baseDir.toString());
    tomcat.setPort(0);
    connector = tomcat.getConnector();
    connector.setProperty("address", "127.0.0.1");
  }

  @Override
  public String name() {
    return "tomcat";
  }

  @Override
  public void registerStopHook(Lifecycle lifecycle) {
    TomcatStopHook.register(tomcat, lifecycle);
  }

  @Override
  public int start(String contextPath, ServletContainerInitializer setup) throws Exception {
    StandardContext context = (StandardContext) tomcat.addContext(contextPath, null);
    quietLeakDetection(context);
    context.addServletContainerInitializer(setup, null);
    tomcat.start();
    return connector.getLocalPort();
  }

  /**
   * Turns off the leak checks that need {@code --add-opens} on Java 17 and would otherwise warn on
   * every stop; the test JVM's threads are not the webapp's to clear.
   */
  static void quietLeakDetection(Context context) {
    StandardContext standard = (StandardContext) context;
    standard.setClearReferencesThreadLocals(false);
    standard.setClearReferencesRmiTargets(false);
  }

  /** Starts with a context built by the caller (a WAR-style webapp). */
  int start() throws Exception {
    tomcat.start();
    return connector.getLocalPort();
  }

  @Override
  public boolean isStopped() {
    LifecycleState state = tomcat.getServer().getState();
    return state == LifecycleState.STOPPED || state == LifecycleState.DESTROYED;
  }

  @Override
  public void close() throws Exception {
    if (!isStopped()) {
      tomcat.stop();
    }
    if (tomcat.getServer().getState() != LifecycleState.DESTROYED) {
      tomcat.destroy();
    }
    try (Stream<Path> files = Files.walk(baseDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}

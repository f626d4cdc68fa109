package dev.probekit.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.probekit.core.lifecycle.Lifecycle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.catalina.Context;
import org.apache.tomcat.util.scan.StandardJarScanner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A WAR-style webapp on embedded Tomcat, deployed from a directory with a real {@code
 * WEB-INF/web.xml} that declares a listener calling {@link ProbeServlets#register}: docs/servlet.md's
 * WAR wiring, parsed and started by Tomcat itself.
 */
class TomcatWarTest {
  private static final String WEB_XML =
      """
      <?xml version="1.0" encoding="UTF-8"?>
      <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee"
               xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
               xsi:schemaLocation="https://jakarta.ee/xml/ns/jakartaee https://jakarta.ee/xml/ns/jakartaee/web-app_6_1.xsd"
               version="6.1" metadata-complete="true">
        <listener>
          <listener-class>dev.probekit.servlet.WarProbes</listener-class>
        </listener>
        <servlet>
          <servlet-name>hello</servlet-name>
          <servlet-class>dev.probekit.servlet.WarHelloServlet</servlet-class>
        </servlet>
        <servlet-mapping>
          <servlet-name>hello</servlet-name>
          <url-pattern>/hello</url-pattern>
        </servlet-mapping>
      </web-app>
      """;

  private TomcatContainer container;

  @AfterEach
  void tearDown() throws Exception {
    if (container != null) {
      container.close();
    }
  }

  @Test
  void aWebXmlListenerWiresProbesAndCountingIntoAWar() throws Exception {
    container = new TomcatContainer();
    Path docBase = Files.createDirectories(container.baseDir.resolve("war/WEB-INF"));
    Files.writeString(docBase.resolve("web.xml"), WEB_XML);
    container.tomcat.setAddDefaultWebXmlToWebapp(false);
    Context context = container.tomcat.addWebapp("/war", docBase.getParent().toString());
    TomcatContainer.quietLeakDetection(context);
    // Only the WAR itself: no scan of the test classpath's jars for fragments and initializers.
    StandardJarScanner scanner = new StandardJarScanner();
    scanner.setScanClassPath(false);
    scanner.setScanManifest(false);
    context.setJarScanner(scanner);
    int port = container.start();
    Lifecycle lifecycle =
        (Lifecycle) context.getServletContext().getAttribute(WarProbes.LIFECYCLE_ATTRIBUTE);
    assertThat(lifecycle).as("the web.xml listener ran").isNotNull();

    try (RawHttp connection = RawHttp.connect(port)) {
      RawHttp.Response live = connection.send("GET", "/war/livez");
      assertThat(live.status()).isEqualTo(200);
      assertThat(live.body()).isEqualTo("ok");
      RawHttp.Response hello = connection.send("GET", "/war/hello");
      assertThat(hello.body()).isEqualTo("hello from the war");
      assertThat(hello.saysClose()).isFalse();
      assertThat(lifecycle.inflight().started()).isEqualTo(1);
      // The client may read a response before the servlet's thread is back in the filter.
      await().atMost(Duration.ofSeconds(10)).until(() -> lifecycle.inflight().finished() == 1);

      lifecycle.preStop();

      RawHttp.Response ready = connection.send("GET", "/war/readyz");
      assertThat(ready.status()).isEqualTo(503);
      assertThat(ready.body()).isEqualTo("readiness check failed");
      assertThat(ready.saysClose()).isTrue();
    }
    try (RawHttp connection = RawHttp.connect(port)) {
      RawHttp.Response hello = connection.send("GET", "/war/hello");
      assertThat(hello.status()).isEqualTo(200);
      assertThat(hello.saysClose()).isTrue();
    }
    assertThat(lifecycle.inflight().started()).isEqualTo(2);

    // Undeploying runs the listener's contextDestroyed: the drain finishes with nothing left.
    container.tomcat.getHost().removeChild(context);
    assertThat(lifecycle.summary()).hasValueSatisfying(s -> assertThat(s.requestsAbandoned()).isZero());
  }
}

package dev.probekit.it.fuzz;

import dev.probekit.core.Health;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.valves.ErrorReportValve;

/**
 * Fuzzes probe-servlet's ProbeServlet on embedded Tomcat 11, with the error report hardened as
 * Tomcat's security guide advises ({@code ErrorReportValve showReport=false showServerInfo=false}):
 * with Tomcat's default error report, the fuzzer finds the parser's exception report (the word
 * "Exception") in the error pages of malformed requests.
 */
class TomcatFuzzTest extends MalformedRequestFuzzTest {
  private Health health;
  private Tomcat tomcat;
  private Path baseDir;

  @Override
  protected InetSocketAddress start() throws Exception {
    health = FuzzHealth.create();
    baseDir = Files.createTempDirectory("probekit-fuzz-tomcat");
    tomcat = new Tomcat();
    tomcat.setBaseDir(baseDir.toString());
    tomcat.setPort(0);
    tomcat.getConnector().setProperty("address", "127.0.0.1");
    // The host adds its own default ErrorReportValve only when none is in its pipeline.
    ErrorReportValve errors = new ErrorReportValve();
    errors.setShowReport(false);
    errors.setShowServerInfo(false);
    tomcat.getHost().getPipeline().addValve(errors);
    Context context = tomcat.addContext("", null);
    context.addServletContainerInitializer(FuzzHealth.servlets(health), null);
    tomcat.start();
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), tomcat.getConnector().getLocalPort());
  }

  @Override
  protected void stop() throws Exception {
    tomcat.stop();
    tomcat.destroy();
    health.close();
    try (Stream<Path> files = Files.walk(baseDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /**
   * Tomcat answers these itself while parsing, before the servlet: 505 for an HTTP version it does
   * not speak, 501 for an unknown transfer coding, 417 for an Expect header it does not know; and a request line it cannot parse up to an
   * HTTP/1.x version (no version, a stray CR, an over-long line) is taken as HTTP/0.9 and answered
   * with a bare 400 error page, no status line.
   */
  @Override
  protected Set<Integer> protocolStatuses() {
    return Set.of(417, 501, 505);
  }

  @Override
  protected boolean answersHttp09() {
    return true;
  }

  @Override
  protected String target() {
    return "Tomcat+ProbeServlet";
  }
}

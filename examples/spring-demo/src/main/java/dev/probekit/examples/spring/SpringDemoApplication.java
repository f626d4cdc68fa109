package dev.probekit.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The Spring Boot demo: an order service on Tomcat under the context path {@code /shop}, with
 * Probekit's probes on their own port (8081). Run it with {@code mvn -pl examples/spring-demo -am
 * spring-boot:run} or {@code java -jar examples/spring-demo/target/probekit-spring-demo-*.jar}.
 */
@SpringBootApplication
public class SpringDemoApplication {

  /**
   * Starts the service.
   *
   * @param args Spring Boot arguments, such as {@code --server.port=0}
   */
  public static void main(String[] args) {
    SpringApplication.run(SpringDemoApplication.class, args);
  }
}

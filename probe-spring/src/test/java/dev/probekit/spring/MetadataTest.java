package dev.probekit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.BeanWrapperImpl;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.boot.json.JsonParserFactory;

/**
 * The generated configuration metadata (what IDEs show) states the default of every property that
 * has one, equal to the value a fresh {@link ProbekitProperties} holds, and carries the hints.
 */
class MetadataTest {

  @SuppressWarnings("unchecked")
  private static Map<String, Object> metadata() throws IOException {
    try (InputStream in =
        MetadataTest.class.getClassLoader()
            .getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("generated metadata").isNotNull();
      return JsonParserFactory.getJsonParser()
          .parseMap(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyPropertyWithADefaultStatesItAndItMatchesTheCode() throws IOException {
    BeanWrapperImpl fresh = new BeanWrapperImpl(new ProbekitProperties());
    List<String> missing = new ArrayList<>();
    List<String> wrong = new ArrayList<>();
    int checked = 0;
    for (Object o : (List<Object>) metadata().get("properties")) {
      Map<String, Object> p = (Map<String, Object>) o;
      String name = (String) p.get("name");
      String path = beanPath(name.substring("probekit.".length()));
      if (!fresh.isReadableProperty(path)) {
        continue;
      }
      Object value = fresh.getPropertyValue(path);
      if (value == null
          || (value instanceof Map<?, ?> m && m.isEmpty())
          || (value instanceof Collection<?> c && c.isEmpty())) {
        continue;
      }
      if (!(value instanceof Duration || value instanceof Boolean || value instanceof Number
          || value instanceof String || value instanceof Enum<?>)) {
        continue; // a nested group such as probekit.shutdown
      }
      checked++;
      if (!p.containsKey("defaultValue")) {
        missing.add(name + " (code: " + value + ")");
        continue;
      }
      Object stated = p.get("defaultValue");
      boolean same =
          value instanceof Duration d
              ? DurationStyle.detectAndParse(String.valueOf(stated)).equals(d)
              : value instanceof Enum<?> e
                  ? e.name().equalsIgnoreCase(String.valueOf(stated))
                  : String.valueOf(value).equals(String.valueOf(stated));
      if (!same) {
        wrong.add(name + " (metadata: " + stated + ", code: " + value + ")");
      }
    }
    assertThat(checked).isGreaterThanOrEqualTo(13);
    assertThat(missing).as("properties without defaultValue").isEmpty();
    assertThat(wrong).as("defaultValue differs from the code").isEmpty();
  }

  @Test
  @SuppressWarnings("unchecked")
  void hintsForDetailsProbeNamesAndCheckNamesExistAndTheOldNameIsDeprecated() throws IOException {
    Map<String, Object> metadata = metadata();
    List<String> hints = new ArrayList<>();
    for (Object o : (List<Object>) metadata.get("hints")) {
      hints.add((String) ((Map<String, Object>) o).get("name"));
    }
    assertThat(hints)
        .contains("probekit.details", "probekit.actuator.adopt.keys", "probekit.checks.keys",
            "probekit.checks.values.probes");
    Map<String, Object> mainPort = null;
    for (Object o : (List<Object>) metadata.get("properties")) {
      Map<String, Object> p = (Map<String, Object>) o;
      if ("probekit.main-port".equals(p.get("name"))) {
        mainPort = p;
      }
    }
    assertThat(mainPort).isNotNull();
    assertThat(String.valueOf(mainPort.get("deprecation"))).contains("probekit.serve-on-main-port");
  }

  /** "shutdown.pre-stop-delay" to "shutdown.preStopDelay". */
  private static String beanPath(String kebab) {
    StringBuilder b = new StringBuilder();
    boolean upper = false;
    for (char c : kebab.toCharArray()) {
      if (c == '-') {
        upper = true;
      } else {
        b.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return b.toString().toLowerCase(Locale.ROOT).equals(b.toString()) ? b.toString() : b.toString();
  }
}

package dev.probekit.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Reads the Kubernetes manifests under deploy/kubernetes for the manifest tests: YAML documents
 * as maps and lists, and paths into them that fail the test, naming the path, where a node is
 * missing or of the wrong kind.
 */
final class Manifests {
  private Manifests() {}

  /** deploy/kubernetes (system property {@code probekit.deploy.dir}; the module runs in its own directory). */
  static Path deployDir() {
    return Path.of(System.getProperty("probekit.deploy.dir", "../deploy/kubernetes"));
  }

  /** The non-empty YAML documents of {@code file}, each a map. */
  static List<Map<String, Object>> load(Path file) throws IOException {
    Load load = new Load(LoadSettings.builder().setLabel(file.toString()).build());
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object doc : load.loadAllFromString(Files.readString(file))) {
      if (doc != null) {
        docs.add(map(doc));
      }
    }
    return docs;
  }

  /** The one document of {@code kind} named {@code name}; fails unless there is exactly one. */
  static Map<String, Object> only(List<Map<String, Object>> docs, String kind, String name) {
    List<Map<String, Object>> found =
        docs.stream()
            .filter(d -> kind.equals(d.get("kind")) && name.equals(map(d.get("metadata")).get("name")))
            .toList();
    assertThat(found).as(kind + " " + name + " documents").hasSize(1);
    return found.get(0);
  }

  /** The only container of a Deployment's pod template; fails unless there is exactly one. */
  static Map<String, Object> onlyContainer(Map<String, Object> deployment) {
    List<Object> containers = list(get(deployment, "spec", "template", "spec", "containers"));
    assertThat(containers).hasSize(1);
    return map(containers.get(0));
  }

  /** The value of the container's environment variable {@code name}, or null if it has none. */
  static String envValue(Map<String, Object> container, String name) {
    for (Object e : list(container.getOrDefault("env", List.of()))) {
      Map<String, Object> env = map(e);
      if (name.equals(env.get("name"))) {
        return String.valueOf(env.get("value"));
      }
    }
    return null;
  }

  /** The node at {@code path} below {@code root}; fails naming the path where one is missing. */
  static Object get(Map<String, Object> root, String... path) {
    Object node = root;
    for (String key : path) {
      assertThat(node).as("parent of " + key).isInstanceOf(Map.class);
      node = map(node).get(key);
      assertThat(node).as(String.join(".", path) + " at " + key).isNotNull();
    }
    return node;
  }

  /** {@code node} as a mapping; fails if it is not one. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object node) {
    assertThat(node).isInstanceOf(Map.class);
    return (Map<String, Object>) node;
  }

  /** {@code node} as a sequence; fails if it is not one. */
  @SuppressWarnings("unchecked")
  static List<Object> list(Object node) {
    assertThat(node).isInstanceOf(List.class);
    return (List<Object>) node;
  }
}

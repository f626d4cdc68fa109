package dev.probekit.consumertest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The BOM lists exactly the published modules: every module of the reactor that does not set
 * {@code probekit.unpublished}, at the project version. A new module fails this test until it is
 * added to {@code probekit-bom/pom.xml} (or marked unpublished).
 */
class BomCoverageTest {

  private final Path root = Path.of(System.getProperty("probekit.root", ".."));

  @Test
  void bomListsEveryPublishedModuleAtTheProjectVersion() throws Exception {
    Document parent = parse(root.resolve("pom.xml"));
    Set<String> published = new TreeSet<>();
    for (String module : texts(child(parent.getDocumentElement(), "modules"), "module")) {
      Document pom = parse(root.resolve(module).resolve("pom.xml"));
      Element project = pom.getDocumentElement();
      String packaging = text(project, "packaging");
      Element properties = child(project, "properties");
      boolean unpublished =
          properties != null && "true".equals(text(properties, "probekit.unpublished"));
      if (!unpublished && !"pom".equals(packaging)) {
        published.add(text(project, "artifactId"));
      }
    }
    assertThat(published).contains("probe-core", "probe-servlet", "probe-netty", "probe-spring", "probe-grpc");

    Element bom = parse(root.resolve("probekit-bom/pom.xml")).getDocumentElement();
    assertThat(text(bom, "version"))
        .as("the BOM's version follows the parent's")
        .isEqualTo(text(parent.getDocumentElement(), "version"));
    Set<String> listed = new TreeSet<>();
    Element managed = child(child(bom, "dependencyManagement"), "dependencies");
    for (Element dependency : children(managed, "dependency")) {
      assertThat(text(dependency, "groupId")).isEqualTo("dev.probekit");
      assertThat(text(dependency, "version")).isEqualTo("${project.version}");
      listed.add(text(dependency, "artifactId"));
    }
    assertThat(listed).as("probekit-bom/pom.xml lists every published module").isEqualTo(published);
  }

  private static Document parse(Path pom) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    try (var in = Files.newInputStream(pom)) {
      return factory.newDocumentBuilder().parse(in);
    }
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> found = new ArrayList<>();
    NodeList nodes = parent.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      Node node = nodes.item(i);
      if (node instanceof Element element && element.getTagName().equals(name)) {
        found.add(element);
      }
    }
    return found;
  }

  private static Element child(Element parent, String name) {
    List<Element> found = children(parent, name);
    return found.isEmpty() ? null : found.get(0);
  }

  private static String text(Element parent, String name) {
    Element element = child(parent, name);
    return element == null ? null : element.getTextContent().trim();
  }

  private static List<String> texts(Element parent, String name) {
    return children(parent, name).stream().map(e -> e.getTextContent().trim()).toList();
  }
}

package dev.probekit.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Markdown docs (README.md, ARCHITECTURE.md, CHANGELOG.md, benchmarks/README.md, docs/*.md)
 * show only code that the build compiles, and link only to what exists.
 *
 * <p>A code block preceded by {@code <!-- snippet: path[#tag] -->} must be that file (relative to
 * the repository's root) or its region between the lines holding {@code tag::tag[]} and {@code
 * end::tag[]}, verbatim: without the marker lines of any region, with the region's common
 * indentation removed, and, for a region inside a Javadoc comment, without the leading {@code *}.
 * Every {@code java} block must be marked, so every Java sample is a region of a compiled source
 * (this module's test sources, which have every adapter on the classpath, or another module's).
 * Run with {@code -Dprobekit.docs.update=true} to rewrite the marked blocks from their sources.
 */
class DocsSnippetsTest {

  private static final Path ROOT =
      Path.of(System.getProperty("probekit.root", "..")).toAbsolutePath().normalize();
  private static final boolean UPDATE = Boolean.getBoolean("probekit.docs.update");
  private static final Pattern MARKER = Pattern.compile("<!-- snippet: ([^ #]+)(?:#(\\S+))? -->");
  private static final Pattern TAG_LINE = Pattern.compile(".*\\b(?:tag|end)::[\\w-]+\\[\\].*");
  private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");
  private static final Pattern HEADING = Pattern.compile("^#{1,6} +(.*?)#*\\s*$");

  @Test
  void everyCodeBlockIsTheCompiledSourceItNames() throws IOException {
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (Path doc : docs()) {
      List<String> lines = new ArrayList<>(List.of(Files.readString(doc).split("\n", -1)));
      boolean changed = false;
      // Last block first, so that rewriting one (UPDATE) leaves the others' line numbers intact.
      List<Block> blocks = blocks(lines);
      Collections.reverse(blocks);
      for (Block block : blocks) {
        String where = ROOT.relativize(doc) + ":" + (block.open + 1);
        if (block.marker == null) {
          if (block.language.equals("java")) {
            problems.add(where + ": a java block without a <!-- snippet: path#tag --> marker");
          }
          continue;
        }
        Matcher m = MARKER.matcher(block.marker);
        m.matches();
        Path source = ROOT.resolve(m.group(1));
        if (!Files.isRegularFile(source)) {
          problems.add(where + ": snippet source " + m.group(1) + " does not exist");
          continue;
        }
        String expected;
        try {
          expected = snippet(Files.readString(source), m.group(2));
        } catch (IllegalArgumentException e) {
          problems.add(where + ": " + e.getMessage() + " in " + m.group(1));
          continue;
        }
        String indent = lines.get(block.open).replaceAll("^(\\s*).*", "$1");
        List<String> want = expected.isEmpty() ? List.of() : List.of(expected.split("\n", -1));
        want = want.stream().map(l -> l.isEmpty() ? l : indent + l).toList();
        List<String> shown = lines.subList(block.open + 1, block.close);
        if (!shown.equals(want)) {
          if (UPDATE) {
            shown.clear();
            shown.addAll(want);
            changed = true;
          } else {
            problems.add(where + ": differs from " + block.marker.trim()
                + " (rerun with -Dprobekit.docs.update=true to copy the source)\n--- shown\n"
                + String.join("\n", shown) + "\n--- source\n" + String.join("\n", want));
          }
        }
        checked++;
      }
      if (changed) {
        Files.writeString(doc, String.join("\n", lines));
      }
    }
    assertThat(problems).as("docs out of step with their sources").isEmpty();
    assertThat(checked).as("snippets checked").isGreaterThanOrEqualTo(20);
  }

  @Test
  void everyRelativeLinkResolves() throws IOException {
    List<String> problems = new ArrayList<>();
    Map<Path, Set<String>> anchors = new HashMap<>();
    for (Path doc : docs()) {
      List<String> lines = List.of(Files.readString(doc).split("\n", -1));
      Set<Integer> inCode = new HashSet<>();
      for (Block block : blocks(lines)) {
        for (int i = block.open; i <= block.close; i++) {
          inCode.add(i);
        }
      }
      for (int i = 0; i < lines.size(); i++) {
        if (inCode.contains(i)) {
          continue;
        }
        Matcher m = LINK.matcher(lines.get(i).replaceAll("`[^`]*`", ""));
        while (m.find()) {
          String target = m.group(1);
          if (target.matches("^[a-z]+:.*")) {
            continue; // https:, mailto:: not checked here
          }
          String where = ROOT.relativize(doc) + ":" + (i + 1) + ": " + target;
          int hash = target.indexOf('#');
          String file = hash < 0 ? target : target.substring(0, hash);
          Path resolved = file.isEmpty() ? doc : doc.getParent().resolve(file).normalize();
          if (!resolved.startsWith(ROOT) || !Files.exists(resolved)) {
            problems.add(where + ": no such file");
          } else if (hash >= 0 && resolved.toString().endsWith(".md")) {
            Set<String> known = anchors.computeIfAbsent(resolved, DocsSnippetsTest::anchors);
            if (!known.contains(target.substring(hash + 1))) {
              problems.add(where + ": no such heading");
            }
          }
        }
      }
    }
    assertThat(problems).as("broken relative links").isEmpty();
  }

  /** .ci/run runs the README's test command verbatim, and the README still shows the demo's. */
  @Test
  void readmeShowsTheCommandsCiRuns() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    String testCommand = Files.readString(ROOT.resolve(".ci/run")).lines()
        .filter(l -> l.startsWith("bash .ci/install-postgresql"))
        .findFirst().orElseThrow();
    assertThat(readme).contains("\n" + testCommand + "\n");
    assertThat(readme).contains(
        "\nmvn -B -q -DskipTests package && java -jar examples/target/probekit-demo.jar\n");
    assertThat(readme.lines().count()).as("README lines").isLessThanOrEqualTo(200);
  }

  private static List<Path> docs() throws IOException {
    List<Path> docs = new ArrayList<>();
    for (String name : List.of("README.md", "ARCHITECTURE.md", "CHANGELOG.md", "benchmarks/README.md")) {
      docs.add(ROOT.resolve(name));
    }
    try (Stream<Path> pages = Files.list(ROOT.resolve("docs"))) {
      pages.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
    }
    return docs;
  }

  /** A fenced code block: the fence lines' indices, its language and the marker line before it. */
  private record Block(int open, int close, String language, String marker) {}

  private static List<Block> blocks(List<String> lines) {
    List<Block> blocks = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (!line.startsWith("```")) {
        continue;
      }
      int close = i + 1;
      while (close < lines.size() && !lines.get(close).strip().equals("```")) {
        close++;
      }
      String before = i > 0 ? lines.get(i - 1).strip() : "";
      blocks.add(new Block(i, close, line.substring(3).strip(),
          MARKER.matcher(before).matches() ? before : null));
      i = close;
    }
    return blocks;
  }

  /** The file without marker lines, or the named region, dedented. */
  static String snippet(String source, String tag) {
    List<String> region = new ArrayList<>();
    boolean in = tag == null;
    boolean found = tag == null;
    for (String line : source.split("\n", -1)) {
      if (tag != null && line.contains("end::" + tag + "[]")) {
        in = false;
      } else if (tag != null && line.contains("tag::" + tag + "[]")) {
        in = true;
        found = true;
      } else if (in && !TAG_LINE.matcher(line).matches()) {
        region.add(line);
      }
    }
    if (!found) {
      throw new IllegalArgumentException("no region " + tag);
    }
    if (tag == null) {
      return String.join("\n", region).replaceAll("\n+$", "");
    }
    if (!region.isEmpty() && region.stream().allMatch(l -> l.matches("\\s*\\*.*"))) {
      region = region.stream().map(l -> l.replaceFirst("^\\s*\\* ?", "")).toList();
    }
    int indent = region.stream().filter(l -> !l.isBlank())
        .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
    return String.join("\n",
        region.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList());
  }

  /** GitHub's anchors for the headings of a Markdown file. */
  private static Set<String> anchors(Path file) {
    List<String> lines;
    try {
      lines = List.of(Files.readString(file).split("\n", -1));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Set<Integer> inCode = new HashSet<>();
    for (Block block : blocks(lines)) {
      for (int i = block.open; i <= block.close; i++) {
        inCode.add(i);
      }
    }
    Set<String> anchors = new HashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher m = HEADING.matcher(lines.get(i));
      if (inCode.contains(i) || !m.matches()) {
        continue;
      }
      String slug = m.group(1).toLowerCase(Locale.ROOT)
          .replaceAll("[^\\p{L}\\p{N} _-]", "")
          .replace(' ', '-');
      int n = seen.merge(slug, 1, Integer::sum);
      anchors.add(n == 1 ? slug : slug + "-" + (n - 1));
    }
    return anchors;
  }
}

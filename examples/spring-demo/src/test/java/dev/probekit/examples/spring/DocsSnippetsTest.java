package dev.probekit.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every code block of docs/spring-boot.md marked {@code <!-- snippet: path[#tag] -->} is the named
 * source file (or its {@code tag::name[]} region) verbatim, and every Java block is marked: the
 * Java the docs show compiles in CI, imports included.
 */
class DocsSnippetsTest {

  private static final Path ROOT = Path.of(System.getProperty("probekit.root", "../.."));
  private static final Pattern BLOCK =
      Pattern.compile("(<!-- snippet: ([^ #]+)(?:#(\\S+))? -->\\n)?```(\\w*)\\n(.*?)```", Pattern.DOTALL);

  @Test
  void everySnippetIsTheSourceItNames() throws IOException {
    String docs = Files.readString(ROOT.resolve("docs/spring-boot.md"));
    Matcher m = BLOCK.matcher(docs);
    int checked = 0;
    List<String> unmarkedJava = new ArrayList<>();
    while (m.find()) {
      String file = m.group(2);
      String language = m.group(4);
      String shown = m.group(5);
      if (file == null) {
        if (language.equals("java")) {
          unmarkedJava.add(shown.lines().findFirst().orElse(""));
        }
        continue;
      }
      String source = Files.readString(ROOT.resolve(file));
      String expected = m.group(3) == null ? source : region(source, m.group(3), file);
      assertThat(shown).as("docs/spring-boot.md snippet of %s", file + (m.group(3) == null ? "" : "#" + m.group(3)))
          .isEqualTo(expected);
      checked++;
    }
    assertThat(unmarkedJava).as("Java blocks without a snippet marker").isEmpty();
    assertThat(checked).isGreaterThanOrEqualTo(3);
  }

  /** The lines between {@code tag::name[]} and {@code end::name[]}, without the marker lines. */
  private static String region(String source, String tag, String file) {
    StringBuilder out = new StringBuilder();
    boolean in = false;
    boolean found = false;
    for (String line : source.split("\n", -1)) {
      if (line.contains("tag::" + tag + "[]") && !line.contains("end::")) {
        in = true;
        found = true;
      } else if (line.contains("end::" + tag + "[]")) {
        in = false;
      } else if (in) {
        out.append(line).append('\n');
      }
    }
    assertThat(found).as("region %s in %s", tag, file).isTrue();
    return out.toString();
  }
}

package io.sluice.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;

/** The chart, the manifests the tests render through it, and one {@code helm template} run. */
final class Chart {
  static final Path DIR = Path.of("sluice");

  /** The repository's example, which the dev stack runs too. */
  static final Path EXAMPLE = Path.of("../examples/sluice.yaml");

  /** Every deployment key and every branch of the derivations. */
  static final Path EVERY_KEY = Path.of("src/test/resources/manifests/every-key.yaml");

  static final String RELEASE = "sluice";

  private Chart() {}

  /**
   * The project's version, read from this module's pom (its parent's version): the tag the image
   * build ({@code image/}) gives {@code ghcr.io/sluice/sluice}.
   */
  static String projectVersion() {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      Element project =
          factory.newDocumentBuilder().parse(Path.of("pom.xml").toFile()).getDocumentElement();
      Element parent = (Element) project.getElementsByTagName("parent").item(0);
      return parent.getElementsByTagName("version").item(0).getTextContent().trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (javax.xml.parsers.ParserConfigurationException | org.xml.sax.SAXException e) {
      throw new IllegalStateException("cannot read the version from pom.xml", e);
    }
  }

  /** The image the build makes and the chart runs by default. */
  static String defaultImage() {
    return "ghcr.io/sluice/sluice:" + projectVersion();
  }

  /** {@code helm template sluice <chart> -n ml -f <values>}. */
  static Rendered template(Path tmp, String values) {
    return template(DIR, tmp, values, null);
  }

  /** The same with {@code --set-file manifest=<manifest>}. */
  static Rendered template(Path tmp, String values, Path manifest) {
    return template(DIR, tmp, values, manifest);
  }

  static Rendered template(Path chart, Path tmp, String values, Path manifest) {
    try {
      Path file = Files.createTempFile(tmp, "values-", ".yaml");
      Files.writeString(file, values);
      TemplateCommand command =
          new Helm(chart).template().withName(RELEASE).withNamespace("ml").withValuesFile(file);
      if (manifest != null) {
        command = command.setFile("manifest", manifest);
      }
      return Rendered.parse(command.call());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A values file holding the manifest as an object under {@code manifest:}. */
  static String objectForm(Path manifest) {
    try {
      return "manifest:\n"
          + Files.readString(manifest)
              .lines()
              .map(l -> l.isBlank() ? "" : "  " + l)
              .reduce("", (a, l) -> a + l + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A copy of the chart whose hook annotations are renamed {@code rendered.sluice.io/hook*}:
   * helm-java's template leaves hooks out of its output, the copy renders them as plain objects.
   */
  static Path withHooksRendered(Path tmp) {
    Path copy = tmp.resolve("chart-with-hooks");
    try (Stream<Path> files = Files.walk(DIR)) {
      for (Path f : files.toList()) {
        Path target = copy.resolve(DIR.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.writeString(
              target, Files.readString(f).replace("helm.sh/hook", "rendered.sluice.io/hook"));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return copy;
  }
}

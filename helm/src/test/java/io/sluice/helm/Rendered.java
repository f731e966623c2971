package io.sluice.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.StreamSupport;

/** The manifests of one {@code helm template} run, parsed with Jackson YAML. */
record Rendered(List<JsonNode> manifests) {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static Rendered parse(String output) {
    List<JsonNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(output)) {
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && !doc.isNull() && !doc.isMissingNode() && doc.has("kind")) {
          docs.add(doc);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("helm template output is not YAML:\n" + output, e);
    }
    return new Rendered(docs);
  }

  List<JsonNode> ofKind(String kind) {
    return manifests.stream().filter(m -> kind.equals(m.path("kind").asText())).toList();
  }

  Optional<JsonNode> find(String kind, String name) {
    return ofKind(kind).stream()
        .filter(m -> name.equals(m.path("metadata").path("name").asText()))
        .findFirst();
  }

  JsonNode get(String kind, String name) {
    return find(kind, name)
        .orElseThrow(() -> new AssertionError("no " + kind + " named " + name + " in " + names()));
  }

  List<String> names() {
    return manifests.stream()
        .map(m -> m.path("kind").asText() + "/" + m.path("metadata").path("name").asText())
        .toList();
  }

  static JsonNode container(JsonNode deployment, String name) {
    return StreamSupport.stream(
            deployment.path("spec").path("template").path("spec").path("containers").spliterator(),
            false)
        .filter(c -> name.equals(c.path("name").asText()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no container " + name));
  }

  static List<String> containerNames(JsonNode deployment) {
    return StreamSupport.stream(
            deployment.path("spec").path("template").path("spec").path("containers").spliterator(),
            false)
        .map(c -> c.path("name").asText())
        .toList();
  }

  /** A container's args as strings. */
  static List<String> args(JsonNode container) {
    return StreamSupport.stream(container.path("args").spliterator(), false)
        .map(JsonNode::asText)
        .toList();
  }

  /** The pod spec of a Deployment or Job. */
  static JsonNode podSpec(JsonNode workload) {
    return workload.path("spec").path("template").path("spec");
  }

  static Optional<JsonNode> env(JsonNode container, String name) {
    return StreamSupport.stream(container.path("env").spliterator(), false)
        .filter(e -> name.equals(e.path("name").asText()))
        .findFirst();
  }
}

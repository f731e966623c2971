package io.sluice.manifest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.Error;
import com.networknt.schema.serialization.node.LocationJsonNodeFactory;
import com.networknt.schema.serialization.node.TokenStreamLocationAware;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a manifest (YAML, or JSON, which YAML includes): first against its JSON Schema ({@link
 * ManifestSchema}, unknown keys included), then the checks a schema cannot express (references
 * between sections, sums, ranges that depend on other keys). Every problem names the file, line,
 * key and what is allowed; any problem rejects the whole file.
 */
public final class ManifestLoader {
  /** Larger files are refused before parsing: a manifest is a few kilobytes. */
  public static final int MAX_BYTES = 4 * 1024 * 1024;

  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build());

  private ManifestLoader() {}

  /**
   * Reads and validates a manifest file.
   *
   * @throws InvalidManifestException naming every problem, the file missing included
   */
  public static Manifest load(Path file) {
    String name = file.toString();
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new InvalidManifestException(
            List.of(problem(name, null, "", "the file is larger than " + MAX_BYTES + " bytes")));
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new InvalidManifestException(List.of(problem(name, null, "", "no such file")));
    } catch (IOException e) {
      throw new InvalidManifestException(
          List.of(problem(name, null, "", "cannot read it: " + e.getMessage())));
    }
    return parse(name, new String(bytes, StandardCharsets.UTF_8));
  }

  /**
   * Validates a manifest's text.
   *
   * @param file the name errors give for it
   * @throws InvalidManifestException naming every problem
   */
  public static Manifest parse(String file, String text) {
    JsonNode root = readTree(file, text);
    List<ManifestProblem> problems = new ArrayList<>();
    for (Error e : ManifestSchema.validate(root)) {
      if (!withinChoice(e)) {
        problems.add(fromSchema(file, root, e));
      }
    }
    if (root.isObject()) {
      ManifestChecks.check(file, root, problems);
    }
    if (!problems.isEmpty()) {
      problems.sort(Comparator.comparingInt(ManifestProblem::line));
      throw new InvalidManifestException(problems);
    }
    return ManifestBinder.bind(file, root);
  }

  private static JsonNode readTree(String file, String text) {
    try (JsonParser parser = YAML.createParser(text)) {
      JsonNode root = YAML.reader(new LocationJsonNodeFactory(parser)).readTree(parser);
      if (root == null || root.isMissingNode() || root.isNull()) {
        throw new InvalidManifestException(List.of(problem(file, null, "", "the file is empty")));
      }
      return root;
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String message = e.getOriginalMessage();
      if (message != null && message.startsWith("Duplicate field")) {
        message = message.replace("Duplicate field", "duplicate key") + ": each name once";
      }
      return fail(
          new ManifestProblem(
              file,
              at == null ? 0 : at.getLineNr(),
              at == null ? 0 : at.getColumnNr(),
              "",
              "not valid YAML or JSON: " + message));
    } catch (IOException e) {
      return fail(problem(file, null, "", "cannot parse it: " + e.getMessage()));
    }
  }

  private static JsonNode fail(ManifestProblem p) {
    throw new InvalidManifestException(List.of(p));
  }

  /** A problem at a node (its line and column), or at the file when the node is null. */
  static ManifestProblem problem(String file, JsonNode at, String key, String message) {
    if (at instanceof TokenStreamLocationAware located && located.tokenStreamLocation() != null) {
      JsonLocation l = located.tokenStreamLocation();
      return new ManifestProblem(file, l.getLineNr(), l.getColumnNr(), key, message);
    }
    return new ManifestProblem(file, 0, 0, key, message);
  }

  private static ManifestProblem fromSchema(String file, JsonNode root, Error e) {
    List<Object> path = new ArrayList<>();
    var location = e.getInstanceLocation();
    for (int i = 0; i < location.getNameCount(); i++) {
      path.add(location.getElement(i));
    }
    JsonNode node = at(root, path);
    String keyword = e.getKeyword();
    String message;
    if ("additionalProperties".equals(keyword) && e.getProperty() != null) {
      String unknown = e.getProperty();
      JsonNode value = node == null ? null : node.get(unknown);
      path.add(unknown);
      node = value == null ? node : value;
      message = "unknown key '" + unknown + "'; allowed here: " + String.join(", ", allowed(e));
    } else if ("oneOf".equals(keyword) && choice(e) != null) {
      List<String> keys = choice(e);
      int given = 0;
      for (String k : keys) {
        given += node != null && node.has(k) ? 1 : 0;
      }
      message =
          given > 1
              ? "give one of " + String.join(" or ", keys) + ", not both"
              : "give " + String.join(" or ", keys);
    } else if ("required".equals(keyword) && e.getProperty() != null) {
      message = "'" + e.getProperty() + "' is required here";
    } else if ("enum".equals(keyword) || "const".equals(keyword)) {
      message =
          "'" + (node == null ? "?" : node.asText()) + "' is not allowed: " + strip(e.getMessage());
    } else if ("pattern".equals(keyword)) {
      message =
          "'"
              + (node == null ? "?" : node.asText())
              + "' is not allowed: "
              + describe(e.getSchemaNode(), e);
    } else {
      message = strip(e.getMessage());
    }
    return problem(file, node, key(path), message);
  }

  /** networknt prefixes its message with the instance path, which the problem already names. */
  private static String strip(String message) {
    int colon = message.indexOf(": ");
    return message.startsWith("$") && colon > 0 ? message.substring(colon + 2) : message;
  }

  /** The description of the schema that holds a pattern, else the pattern itself. */
  private static String describe(JsonNode pattern, Error e) {
    JsonNode parent = parentSchema(e);
    if (parent != null && parent.has("description")) {
      return parent.get("description").asText();
    }
    return "must match " + (pattern == null ? "its pattern" : pattern.asText());
  }

  private static List<String> allowed(Error e) {
    JsonNode parent = parentSchema(e);
    List<String> names = new ArrayList<>();
    if (parent != null && parent.has("properties")) {
      parent.get("properties").fieldNames().forEachRemaining(names::add);
    }
    return names;
  }

  /**
   * The keys of a {@code oneOf} whose branches each only require one key ({@code route} or {@code
   * pipeline}), or null for any other {@code oneOf}.
   */
  private static List<String> choice(Error e) {
    JsonNode branches = ManifestSchema.at(pointer(e));
    if (!branches.isArray() || branches.isEmpty()) {
      return null;
    }
    List<String> keys = new ArrayList<>();
    for (JsonNode b : branches) {
      if (b.size() != 1 || b.path("required").size() != 1) {
        return null;
      }
      keys.add(b.get("required").get(0).asText());
    }
    return keys;
  }

  /**
   * A {@code required} failure inside a branch of such a {@code oneOf}: the {@code oneOf} itself
   * reports it, once, as "give route or pipeline".
   */
  private static boolean withinChoice(Error e) {
    String pointer = pointer(e);
    int at = pointer.lastIndexOf("/oneOf/");
    if (!"required".equals(e.getKeyword()) || at < 0) {
      return false;
    }
    JsonNode branches = ManifestSchema.at(pointer.substring(0, at + "/oneOf".length()));
    for (JsonNode b : branches) {
      if (b.size() != 1 || b.path("required").size() != 1) {
        return false;
      }
    }
    return branches.isArray();
  }

  /** The JSON pointer, into the schema, of the keyword that failed. */
  private static String pointer(Error e) {
    String fragment = e.getSchemaLocation().getFragment().toString();
    return fragment.startsWith("#") ? fragment.substring(1) : fragment;
  }

  /** The schema object whose keyword failed, found from the error's schema location. */
  private static JsonNode parentSchema(Error e) {
    String fragment = e.getSchemaLocation().getFragment().toString();
    int slash = fragment.lastIndexOf('/');
    if (slash < 0) {
      return null;
    }
    String pointer = fragment.substring(0, slash);
    pointer = pointer.startsWith("#") ? pointer.substring(1) : pointer;
    JsonNode parent = ManifestSchema.at(pointer);
    return parent.isMissingNode() ? null : parent;
  }

  static JsonNode at(JsonNode root, List<Object> path) {
    JsonNode n = root;
    for (Object element : path) {
      if (n == null) {
        return null;
      }
      n = element instanceof Integer i ? n.get(i) : n.get(String.valueOf(element));
    }
    return n;
  }

  /** {@code apps.chat.route.variants[1].deployment}. */
  static String key(List<Object> path) {
    StringBuilder sb = new StringBuilder();
    for (Object element : path) {
      if (element instanceof Integer i) {
        sb.append('[').append(i).append(']');
      } else {
        sb.append(sb.length() == 0 ? "" : ".").append(element);
      }
    }
    return sb.toString();
  }

  /** Object fields in file order. */
  static Map<String, JsonNode> fields(JsonNode object) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    if (object != null) {
      for (Map.Entry<String, JsonNode> e : object.properties()) {
        out.put(e.getKey(), e.getValue());
      }
    }
    return out;
  }
}

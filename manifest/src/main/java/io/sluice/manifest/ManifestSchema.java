package io.sluice.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The manifest's JSON Schema ({@value #RESOURCE}): the one definition of every key, its type,
 * default and meaning. The loader validates with it, the chart's {@code values.schema.json} embeds
 * it, and {@code docs/MANIFEST.md} is generated from it.
 */
public final class ManifestSchema {
  /** Class-path location of the schema. */
  public static final String RESOURCE = "/io/sluice/manifest/sluice-manifest.schema.json";

  private static final String TEXT = read();
  private static final JsonNode TREE = parse(TEXT);
  private static final Schema SCHEMA =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7)
          .getSchema(TEXT, InputFormat.JSON);

  private ManifestSchema() {}

  /** The schema's text, as committed. */
  public static String text() {
    return TEXT;
  }

  /** The schema as a tree: a copy, the caller's to change. */
  public static JsonNode tree() {
    return TREE.deepCopy();
  }

  /** The node at a JSON pointer of the schema (parsed once; not to be changed), or missing. */
  static JsonNode at(String pointer) {
    return TREE.at(pointer);
  }

  private static JsonNode parse(String text) {
    try {
      return new ObjectMapper().readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every way the document breaks the schema. */
  static List<Error> validate(JsonNode document) {
    return SCHEMA.validate(document);
  }

  private static String read() {
    try (InputStream in = ManifestSchema.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is not on the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

package io.sluice.registry.internal;

import io.sluice.registry.CompatibilityLevel;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/** Parsing and compatibility checks, done by Avro itself. */
final class AvroSchemas {

  static final String AVRO = "AVRO";

  private AvroSchemas() {}

  /**
   * Parses a schema the way the registry stores it. Default values are validated, as Confluent's
   * registry does, because a bad default is exactly what breaks a reader later.
   *
   * @throws RegistryException 42201 if the text is not a valid Avro schema
   */
  static Schema parse(String text) {
    if (text == null || text.isBlank()) {
      throw RegistryException.invalidSchema("Empty schema");
    }
    try {
      return new Schema.Parser().setValidateDefaults(true).parse(text);
    } catch (AvroRuntimeException | NullPointerException | IllegalArgumentException e) {
      // Parse errors, bad defaults (AvroTypeException); some malformed input surfaces as NPE/IAE.
      throw RegistryException.invalidSchema("Invalid schema " + text + ": " + e.getMessage());
    }
  }

  /**
   * The identity of a schema: Avro's full JSON form (whitespace and key order normalised, docs and
   * properties kept). Confluent compares schemas the same way by default, so two texts get the same
   * id exactly when Confluent's registry would give them the same id.
   */
  static String canonical(Schema schema) {
    return schema.toString();
  }

  /** A schema already registered, as a compatibility check sees it. */
  record Earlier(int version, Schema schema) {}

  /**
   * Checks {@code candidate} against {@code earlier} (newest first, already narrowed to the
   * versions the level asks for) and returns human-readable incompatibilities, empty if compatible.
   */
  static List<String> incompatibilities(
      CompatibilityLevel level, Schema candidate, List<Earlier> earlier) {
    List<String> messages = new ArrayList<>();
    for (Earlier old : earlier) {
      List<String> found = new ArrayList<>();
      if (level.backward()) {
        found.addAll(check(candidate, old.schema()));
      }
      if (level.forward()) {
        found.addAll(check(old.schema(), candidate));
      }
      if (!found.isEmpty()) {
        messages.addAll(found);
        messages.add("{oldSchemaVersion: " + old.version() + "}");
        messages.add("{oldSchema: '" + old.schema() + "'}");
        messages.add("{compatibility: '" + level + "'}");
        break;
      }
    }
    return messages;
  }

  private static List<String> check(Schema reader, Schema writer) {
    SchemaCompatibility.SchemaPairCompatibility result =
        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    List<String> messages = new ArrayList<>();
    for (SchemaCompatibility.Incompatibility i : result.getResult().getIncompatibilities()) {
      messages.add(
          "{errorType:'"
              + i.getType()
              + "', description:'"
              + i.getMessage()
              + "', location:'"
              + i.getLocation()
              + "'}");
    }
    return messages;
  }
}

package io.sluice.schemas.compat;

import io.sluice.schemas.registry.CompatibilityLevel;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.Incompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;

/**
 * Decides whether a new schema may follow earlier ones under a compatibility level, with Avro's own
 * {@link SchemaCompatibility} and the Schema Registry's meaning of the levels: BACKWARD means the
 * new schema can read data written with the previous one; FORWARD, that the previous one can read
 * the new one's data; FULL, both; the TRANSITIVE levels check every earlier version, the others
 * only the latest.
 */
public final class SchemaCompatibilityChecker {
  private SchemaCompatibilityChecker() {}

  /**
   * The reasons the new schema breaks the level, empty when it is compatible.
   *
   * @param previous earlier versions, oldest first
   */
  public static List<String> problems(
      CompatibilityLevel level, Schema candidate, List<Schema> previous) {
    List<String> out = new ArrayList<>();
    if (level == CompatibilityLevel.NONE || previous.isEmpty()) {
      return out;
    }
    boolean transitive = level.name().endsWith("_TRANSITIVE");
    List<Schema> against = transitive ? previous : List.of(previous.get(previous.size() - 1));
    boolean backward = level.name().startsWith("BACKWARD") || level.name().startsWith("FULL");
    boolean forward = level.name().startsWith("FORWARD") || level.name().startsWith("FULL");
    for (Schema old : against) {
      if (backward) {
        describe(
            "new schema cannot read data written with the previous schema",
            SchemaCompatibility.checkReaderWriterCompatibility(candidate, old),
            out);
      }
      if (forward) {
        describe(
            "the previous schema cannot read data written with the new schema",
            SchemaCompatibility.checkReaderWriterCompatibility(old, candidate),
            out);
      }
    }
    return out;
  }

  private static void describe(String what, SchemaPairCompatibility result, List<String> out) {
    if (result.getType() == SchemaCompatibilityType.COMPATIBLE) {
      return;
    }
    for (Incompatibility i : result.getResult().getIncompatibilities()) {
      out.add(
          what
              + ": "
              + i.getType()
              + " at "
              + i.getLocation()
              + (i.getMessage() == null ? "" : " (" + i.getMessage() + ")"));
    }
  }
}

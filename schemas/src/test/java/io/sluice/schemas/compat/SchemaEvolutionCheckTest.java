package io.sluice.schemas.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.schemas.registry.CompatibilityLevel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaEvolutionCheckTest {
  @TempDir Path tmp;

  private static final Path CURRENT = Path.of("src/main/avro");

  @Test
  void theCommittedSchemasAreCompatibleWithTheBaseline() throws IOException {
    assertThat(
            SchemaEvolutionCheck.check(
                Path.of("src/compat-baseline"), CURRENT, CompatibilityLevel.BACKWARD))
        .isEmpty();
  }

  @Test
  void parsesFilesThatReferToTypesInOtherFiles() throws IOException {
    assertThat(SchemaEvolutionCheck.parseAll(CURRENT).keySet())
        .contains(
            "io.sluice.avro.InferenceRequest",
            "io.sluice.avro.InferenceBatch",
            "io.sluice.avro.InferenceResponse",
            "io.sluice.avro.DeadLetter",
            "io.sluice.avro.RouteConfig");
  }

  @Test
  void aNewFieldWithoutDefaultFailsWithAReadableReason() throws IOException {
    Path base = Files.createDirectory(tmp.resolve("base"));
    Path now = Files.createDirectory(tmp.resolve("now"));
    Files.writeString(base.resolve("A.avsc"), record(false).toString());
    Files.writeString(now.resolve("A.avsc"), record(true).toString());

    List<String> problems = SchemaEvolutionCheck.check(base, now, CompatibilityLevel.BACKWARD);

    assertThat(problems)
        .singleElement()
        .asString()
        .contains("t.A", "READER_FIELD_MISSING_DEFAULT_VALUE", "extra");
    assertThatThrownBy(
            () -> SchemaEvolutionCheck.main(new String[] {base.toString(), now.toString()}))
        .hasMessageContaining("breaks compatibility")
        .hasMessageContaining("extra");
  }

  @Test
  void aRemovedSchemaFails() throws IOException {
    Path base = Files.createDirectory(tmp.resolve("base"));
    Path now = Files.createDirectory(tmp.resolve("now"));
    Files.writeString(base.resolve("A.avsc"), record(false).toString());
    assertThat(SchemaEvolutionCheck.check(base, now, CompatibilityLevel.BACKWARD))
        .singleElement()
        .asString()
        .contains("removed");
  }

  @Test
  void forwardAndFullLevelsCheckTheOtherDirection() {
    Schema old = record(true);
    Schema withoutExtra = record(false);
    // Dropping a field without default: BACKWARD ok (new reader ignores it), FORWARD not.
    assertThat(
            SchemaCompatibilityChecker.problems(
                CompatibilityLevel.BACKWARD, withoutExtra, List.of(old)))
        .isEmpty();
    assertThat(
            SchemaCompatibilityChecker.problems(
                CompatibilityLevel.FORWARD, withoutExtra, List.of(old)))
        .isNotEmpty();
    assertThat(
            SchemaCompatibilityChecker.problems(
                CompatibilityLevel.FULL, withoutExtra, List.of(old)))
        .isNotEmpty();
    assertThat(
            SchemaCompatibilityChecker.problems(
                CompatibilityLevel.NONE, withoutExtra, List.of(old)))
        .isEmpty();
  }

  @Test
  void transitiveLevelsCheckEveryEarlierVersion() {
    Schema v1 = record(true); // "extra" required
    Schema v2 =
        SchemaBuilder.record("A")
            .namespace("t")
            .fields()
            .requiredString("id")
            .name("extra")
            .type()
            .stringType()
            .stringDefault("-")
            .endRecord();
    Schema v3 = record(false); // drops "extra": v2 can read it (default), v1 cannot
    assertThat(SchemaCompatibilityChecker.problems(CompatibilityLevel.FORWARD, v3, List.of(v1, v2)))
        .isEmpty();
    assertThat(
            SchemaCompatibilityChecker.problems(
                CompatibilityLevel.FORWARD_TRANSITIVE, v3, List.of(v1, v2)))
        .singleElement()
        .asString()
        .contains("extra");
  }

  private static Schema record(boolean withExtra) {
    SchemaBuilder.FieldAssembler<Schema> f =
        SchemaBuilder.record("A").namespace("t").fields().requiredString("id");
    if (withExtra) {
      f = f.requiredString("extra");
    }
    return f.endRecord();
  }
}

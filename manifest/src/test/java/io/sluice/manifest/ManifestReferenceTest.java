package io.sluice.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/MANIFEST.md is generated from the schema; this fails when the committed page is stale. */
class ManifestReferenceTest {
  private static final Path PAGE = Path.of("../docs/MANIFEST.md");

  @Test
  void committedPageMatchesTheSchema() throws Exception {
    String generated = ManifestReference.markdown();
    if (Boolean.getBoolean("sluice.regenerate")) {
      Files.writeString(PAGE, generated, StandardCharsets.UTF_8);
    }
    assertThat(Files.exists(PAGE)).as(PAGE + " exists").isTrue();
    assertThat(Files.readString(PAGE))
        .as(
            "docs/MANIFEST.md is stale: run ./mvnw -q -pl manifest -am test"
                + " -Dtest=ManifestReferenceTest -Dsluice.regenerate=true")
        .isEqualTo(generated);
  }

  @Test
  void everyKeyOfTheSchemaIsOnThePage() {
    String page = ManifestReference.markdown();
    for (String key :
        new String[] {
          "maxBatchSize", "targetOngoingRequests", "downscaleToZeroDelaySeconds", "apiKeySecret",
          "tensorParallelSize", "stickinessAttribute", "gracefulShutdownSeconds",
              "maxOngoingRequests"
        }) {
      assertThat(page).contains("| `" + key + "`");
    }
  }
}

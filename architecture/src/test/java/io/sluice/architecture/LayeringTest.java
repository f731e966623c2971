package io.sluice.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Checks {@link LayeringRules} on the main classes of every module. */
class LayeringTest {
  private static JavaClasses sluice;

  @BeforeAll
  static void importClasses() {
    sluice =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(LayeringRules.ROOT);
  }

  @Test
  void noModuleUsesAnotherModulesInternals() {
    LayeringRules.NO_CROSS_MODULE_INTERNALS.check(sluice);
  }

  @Test
  void theFunctionSpiDependsOnNoInternals() {
    LayeringRules.SPI_HAS_NO_INTERNALS.check(sluice);
  }

  @Test
  void publicApiExposesNoInternalTypes() {
    LayeringRules.PUBLIC_API_EXPOSES_NO_INTERNALS.check(sluice);
  }
}

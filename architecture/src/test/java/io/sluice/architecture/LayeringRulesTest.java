package io.sluice.architecture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import io.sluice.fakea.Exposing;
import io.sluice.fakea.internal.Hidden;
import io.sluice.fakeb.Intruder;
import org.junit.jupiter.api.Test;

/** The rules themselves can fail, and say what to do when they do. */
class LayeringRulesTest {
  @Test
  void aCrossModuleInternalImportFailsNamingBothModules() {
    JavaClasses classes = new ClassFileImporter().importClasses(Intruder.class, Hidden.class);
    assertThatThrownBy(() -> LayeringRules.NO_CROSS_MODULE_INTERNALS.check(classes))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("module 'fakeb' uses module 'fakea''s internal class")
        .hasMessageContaining("internal packages are private to their module");
  }

  @Test
  void aModuleMayUseItsOwnInternals() {
    JavaClasses classes = new ClassFileImporter().importClasses(Exposing.class, Hidden.class);
    LayeringRules.NO_CROSS_MODULE_INTERNALS.check(classes);
    assertThat(LayeringRules.moduleOf("io.sluice.fakea.internal")).isEqualTo("fakea");
  }

  @Test
  void aPublicSignatureNamingAnInternalTypeFails() {
    JavaClasses classes = new ClassFileImporter().importClasses(Exposing.class, Hidden.class);
    assertThatThrownBy(() -> LayeringRules.PUBLIC_API_EXPOSES_NO_INTERNALS.check(classes))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("Exposing.leak()")
        .hasMessageContaining("names internal type io.sluice.fakea.internal.Hidden");
  }
}

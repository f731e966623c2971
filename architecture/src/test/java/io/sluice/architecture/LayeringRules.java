package io.sluice.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;
import java.util.stream.Stream;

/**
 * The layering every module keeps, checked by the build (as Kafka's {@code import-control.xml} is).
 * A module is named by the third segment of its package ({@code io.sluice.bridge..} is the bridge);
 * a package with an {@code internal} segment is private to its module.
 *
 * <p>THINK HARD ABOUT THE LAYERING before you relax a rule: an internal type used from another
 * module, or exposed by a public signature, is API that nobody designed.
 */
final class LayeringRules {
  static final String ROOT = "io.sluice";

  private LayeringRules() {}

  /** No module uses another module's internal classes. */
  static final ArchRule NO_CROSS_MODULE_INTERNALS =
      ArchRuleDefinition.classes()
          .should(useInternalsOfTheirOwnModuleOnly())
          .because(
              "internal packages are private to their module; use the other module's public API,"
                  + " or promote the type deliberately into a public package of that module (with"
                  + " Javadoc) if other modules really need it");

  /** The function SPI (what users implement) stands alone. */
  static final ArchRule SPI_HAS_NO_INTERNALS =
      ArchRuleDefinition.noClasses()
          .that()
          .resideInAPackage(ROOT + ".functions")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("..internal..")
          .because(
              "the function SPI is the small, stable surface users compile against; it must not"
                  + " drag the worker runtime's internals into their code");

  /** Public API types do not expose internal types in their public signatures. */
  static final ArchRule PUBLIC_API_EXPOSES_NO_INTERNALS =
      ArchRuleDefinition.classes()
          .that(arePublicApi())
          .should(exposeNoInternalTypes())
          .because(
              "a public method, constructor or field whose signature names an internal type makes"
                  + " that type public API by accident; keep such members package-private or move"
                  + " the type to a public package");

  static String moduleOf(String packageName) {
    if (!packageName.startsWith(ROOT + ".")) {
      return "";
    }
    String rest = packageName.substring(ROOT.length() + 1);
    int dot = rest.indexOf('.');
    return dot < 0 ? rest : rest.substring(0, dot);
  }

  static boolean isInternal(JavaClass c) {
    String p = c.getPackageName();
    return p.startsWith(ROOT + ".") && (p.contains(".internal.") || p.endsWith(".internal"));
  }

  private static ArchCondition<JavaClass> useInternalsOfTheirOwnModuleOnly() {
    return new ArchCondition<>("use internal classes of their own module only") {
      @Override
      public void check(JavaClass origin, ConditionEvents events) {
        String own = moduleOf(origin.getPackageName());
        for (Dependency d : origin.getDirectDependenciesFromSelf()) {
          JavaClass target = d.getTargetClass().getBaseComponentType();
          if (isInternal(target) && !moduleOf(target.getPackageName()).equals(own)) {
            events.add(
                SimpleConditionEvent.violated(
                    d,
                    String.format(
                        "module '%s' uses module '%s''s internal class %s: %s",
                        own,
                        moduleOf(target.getPackageName()),
                        target.getName(),
                        d.getDescription())));
          }
        }
      }
    };
  }

  private static DescribedPredicate<JavaClass> arePublicApi() {
    return DescribedPredicate.describe(
        "are public API (public, outside internal packages)",
        c ->
            c.getPackageName().startsWith(ROOT + ".")
                && !isInternal(c)
                && c.getModifiers().contains(JavaModifier.PUBLIC));
  }

  private static ArchCondition<JavaClass> exposeNoInternalTypes() {
    return new ArchCondition<>("expose no internal types in public signatures") {
      @Override
      public void check(JavaClass c, ConditionEvents events) {
        for (JavaCodeUnit m : c.getCodeUnits()) {
          if (!m.getModifiers().contains(JavaModifier.PUBLIC)) {
            continue;
          }
          Stream.concat(Stream.of(m.getRawReturnType()), m.getRawParameterTypes().stream())
              .map(JavaClass::getBaseComponentType)
              .filter(LayeringRules::isInternal)
              .forEach(
                  t ->
                      events.add(
                          SimpleConditionEvent.violated(
                              m, m.getFullName() + " names internal type " + t.getName())));
        }
        for (JavaField f : c.getFields()) {
          JavaClass t = f.getRawType().getBaseComponentType();
          if (f.getModifiers().contains(JavaModifier.PUBLIC) && isInternal(t)) {
            events.add(
                SimpleConditionEvent.violated(
                    f, f.getFullName() + " has internal type " + t.getName()));
          }
        }
      }
    };
  }
}

package dev.probekit.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * probe-core's packages depend one way, as the package documentation draws them: the model and
 * contract ({@code dev.probekit.core}) on nothing else of ours; {@code checks} and {@code lifecycle}
 * on it; {@code waits} on those; {@code server} and {@code micrometer} on {@code lifecycle}.
 * {@code internal} is shared implementation and never reaches up into the feature packages.
 * Checked on the compiled classes (Javadoc references do not count).
 */
class PackageRulesTest {
  private static final String ROOT = "dev.probekit.core";
  private static final String CHECKS = "dev.probekit.core.checks..";
  private static final String WAITS = "dev.probekit.core.waits..";
  private static final String LIFECYCLE = "dev.probekit.core.lifecycle..";
  private static final String SERVER = "dev.probekit.core.server..";
  private static final String MICROMETER = "dev.probekit.core.micrometer..";

  private static JavaClasses classes;

  @BeforeAll
  static void importMainClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);
  }

  @Test
  void theModelAndContractDependOnNoFeaturePackage() {
    noClasses()
        .that()
        .resideInAPackage(ROOT)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(CHECKS, WAITS, LIFECYCLE, SERVER, MICROMETER)
        .check(classes);
  }

  @Test
  void checksAndLifecycleDependOnlyOnTheModel() {
    noClasses()
        .that()
        .resideInAPackage(CHECKS)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(WAITS, LIFECYCLE, SERVER, MICROMETER)
        .check(classes);
    noClasses()
        .that()
        .resideInAPackage(LIFECYCLE)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(CHECKS, WAITS, SERVER, MICROMETER)
        .check(classes);
  }

  @Test
  void nothingDependsOnTheOuterPackages() {
    noClasses()
        .that()
        .resideOutsideOfPackages(WAITS)
        .should()
        .dependOnClassesThat()
        .resideInAPackage(WAITS)
        .check(classes);
    noClasses()
        .that()
        .resideOutsideOfPackages(SERVER)
        .should()
        .dependOnClassesThat()
        .resideInAPackage(SERVER)
        .check(classes);
    noClasses()
        .that()
        .resideOutsideOfPackages(MICROMETER)
        .should()
        .dependOnClassesThat()
        .resideInAPackage(MICROMETER)
        .check(classes);
  }

  @Test
  void internalNeverReachesIntoAFeaturePackage() {
    noClasses()
        .that()
        .resideInAPackage("dev.probekit.core.internal..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(CHECKS, WAITS, LIFECYCLE, SERVER, MICROMETER)
        .check(classes);
  }

  @Test
  void theFeaturePackagesHaveNoCycles() {
    slices()
        .matching("dev.probekit.core.(*)..")
        .should()
        .beFreeOfCycles()
        .check(classes);
  }
}

package dev.gangway;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The package shape the design promises, checked on the compiled classes: packages by feature with no cycles between
 * them, and observe → decide → act in that direction only (a decision reads observations and is carried out by act,
 * never the other way round).
 */
class PackageDependenciesTest {

  private static final JavaClasses CLASSES = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.gangway");

  @Test
  void noTwoPackagesDependOnEachOther() {
    slices().matching("dev.gangway.(*)..").should().beFreeOfCycles().check(CLASSES);
  }

  @Test
  void observationsDoNotDependOnDecisionsOrActions() {
    noClasses().that().resideInAPackage("dev.gangway.observe..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.gangway.decide..", "dev.gangway.act..").check(CLASSES);
  }

  @Test
  void decisionsDoNotDependOnActions() {
    noClasses().that().resideInAPackage("dev.gangway.decide..")
        .should().dependOnClassesThat().resideInAPackage("dev.gangway.act..").check(CLASSES);
  }
}

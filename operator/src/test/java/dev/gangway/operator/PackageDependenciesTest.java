package dev.gangway.operator;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The operator's wiring packages (intake, leadership, messaging, ...) by feature, with no cycles between them. */
class PackageDependenciesTest {

  @Test
  void noTwoPackagesDependOnEachOther() {
    slices().matching("dev.gangway.operator.(*)..").should().beFreeOfCycles()
        .check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.gangway.operator"));
  }
}

package io.tally.it;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How Tally's packages may use each other, checked on the compiled classes of every module (this module depends on
 * all of them). A unit test: it starts no server.
 */
class ArchitectureTest {
    private static final String TALLY = "io.tally";
    private static final String INTERNAL = "internal";

    private static JavaClasses tally;

    @BeforeAll
    static void importTally() {
        // Each module's tests may reach into what they test; what is held to the rule is what ships.
        tally = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(TALLY);
    }

    /**
     * A package named {@code internal} is the implementation of its parent package: only the parent, and the
     * packages beneath it, may use it. Everything else goes through the parent's public classes, so an
     * implementation can change without touching its users (as the Cassandra driver's {@code api} and
     * {@code internal}).
     */
    @Test
    void internalPackagesAreUsedOnlyFromTheirParent() {
        assertThat(tally.stream().map(JavaClass::getPackageName).filter(name -> ownerOfInternal(name).isPresent()))
                .as("the rule would check nothing: no internal package was imported")
                .isNotEmpty();

        ArchRule rule = classes().that().resideInAPackage(TALLY + "..")
                .should(useInternalPackagesOnlyOfTheirParent());
        rule.check(tally);
    }

    private static ArchCondition<JavaClass> useInternalPackagesOnlyOfTheirParent() {
        return new ArchCondition<>("use an internal package only from within its parent package") {
            @Override
            public void check(JavaClass origin, ConditionEvents events) {
                for (Dependency dependency : origin.getDirectDependenciesFromSelf()) {
                    JavaClass target = dependency.getTargetClass().getBaseComponentType();
                    Optional<String> owner = ownerOfInternal(target.getPackageName());
                    if (owner.isPresent() && !within(origin.getPackageName(), owner.get())) {
                        events.add(SimpleConditionEvent.violated(dependency, dependency.getDescription()
                                + " (" + target.getPackageName() + " is internal to " + owner.get() + ")"));
                    }
                }
            }
        };
    }

    /**
     * The package that an internal package belongs to: the one holding its innermost {@code internal} segment, which
     * is the narrowest, so whatever lies within it also lies within the owners of any outer one.
     */
    private static Optional<String> ownerOfInternal(String packageName) {
        if (!within(packageName, TALLY)) {
            return Optional.empty();
        }
        String[] segments = packageName.split("\\.");
        for (int i = segments.length - 1; i > 0; i--) {
            if (segments[i].equals(INTERNAL)) {
                return Optional.of(String.join(".", Arrays.copyOf(segments, i)));
            }
        }
        return Optional.empty();
    }

    private static boolean within(String packageName, String ancestor) {
        return packageName.equals(ancestor) || packageName.startsWith(ancestor + ".");
    }
}

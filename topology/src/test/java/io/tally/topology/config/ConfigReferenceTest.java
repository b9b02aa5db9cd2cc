package io.tally.topology.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The reference page and the example file are made from, and held to, {@link TallyConfigSchema}. */
class ConfigReferenceTest {
    private static final Path PAGE = Path.of("..", "docs", "configuration.md");
    private static final Path EXAMPLE = Path.of("..", "deploy", "tally.yaml");
    static final String REGENERATE = "mvn -B -ntp -q -pl topology -am test -Dtest=ConfigReferenceTest"
            + " -Dsurefire.failIfNoSpecifiedTests=false -Dtally.writeReference=true";

    @Test
    void theCheckedInReferenceIsTheOneTheSchemaMakes() throws IOException {
        String page = Files.readString(PAGE);
        String generated = ConfigReference.withReference(page);
        if (Boolean.getBoolean("tally.writeReference")) {
            Files.writeString(PAGE, generated);
            page = Files.readString(PAGE);
        }
        assertThat(page).as("docs/configuration.md differs from the reference TallyConfigSchema makes;"
                + " regenerate it with:\n  " + REGENERATE + "\n").isEqualTo(generated);
    }

    @Test
    void theReferenceListsEveryKeyWithItsDefaultAndRules() {
        String reference = ConfigReference.markdown();
        for (ConfigKey<?> key : TallyConfigSchema.keys()) {
            assertThat(reference).contains("| `" + key.path() + "` |");
        }
        assertThat(reference)
                .contains("| `aggregates.dedup_window_ms` | integer (ms) | `691200000` (8 days) | >= 1000 |")
                .contains("| `kafka.bootstrap_servers` | string | (required) |")
                .contains("| `kafka.max_partition_fetch_bytes` | integer (bytes) | `33554432` (32 MiB) | > 0 |")
                .contains("| `cassandra.read_consistency` | string | `LOCAL_QUORUM` | one of ONE, TWO, THREE, QUORUM,")
                .contains("| `cassandra.password` | string | none |  | PasswordAuthenticator password; use ${NAME};"
                        + " a secret, never shown |")
                .contains("#### `objects` (or `s3`)");
    }

    @Test
    void theDeployExampleLoadsAndUsesOnlyKeysOfTheSchema() throws IOException {
        TallyConfigLoader.withEnvironment(Map.of()).load(EXAMPLE);
        Set<String> written = keysWritten(Files.readAllLines(EXAMPLE));
        List<String> unknown = new ArrayList<>();
        for (String path : written) {
            if (TallyConfigSchema.key(path).isEmpty() && TallyConfigSchema.section(path).isEmpty()) {
                unknown.add(path);
            }
        }
        assertThat(unknown).as("keys in deploy/tally.yaml, live or commented, that the schema does not have").isEmpty();
        List<String> missing = TallyConfigSchema.keys().stream().map(ConfigKey::path)
                .filter(path -> !written.contains(path)).toList();
        assertThat(missing).as("keys of the schema that deploy/tally.yaml does not show, live or commented").isEmpty();
    }

    private static final Pattern KEY_LINE = Pattern.compile("^( *)([a-z_][a-z0-9_]*):(\\s|$)");

    /**
     * Every key path the example writes, commented-out ones included: a commented line counts as if its {@code # }
     * were not there. Values of keys (segments, consumer properties, ...) and sections read elsewhere are not
     * walked into.
     */
    private static Set<String> keysWritten(List<String> lines) {
        Set<String> paths = new LinkedHashSet<>();
        Deque<String> stack = new ArrayDeque<>();
        for (String raw : lines) {
            String line = raw.replaceFirst("^( *)# ?", "$1");
            Matcher m = KEY_LINE.matcher(line);
            if (!m.find()) {
                continue;
            }
            int depth = m.group(1).length() / 2;
            while (stack.size() > depth) {
                stack.removeLast();
            }
            if (stack.size() < depth) {
                continue; // inside a list item or a value
            }
            String parent = String.join(".", stack);
            if (!parent.isEmpty() && (TallyConfigSchema.key(parent).isPresent()
                    || TallyConfigSchema.section(parent).map(s -> s.readElsewhere() != null).orElse(false))) {
                continue;
            }
            String path = parent.isEmpty() ? m.group(2) : parent + "." + m.group(2);
            paths.add(path);
            stack.addLast(m.group(2));
        }
        return paths;
    }
}

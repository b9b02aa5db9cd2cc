package io.tally.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.datastax.oss.driver.api.core.CqlSession;
import io.tally.it.support.DocumentedPages;
import io.tally.it.support.RealServices;
import io.tally.it.support.TestKeyspaces;
import io.tally.state.cassandra.SessionRegistry;
import io.tally.state.schema.SchemaApplier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every CQL example an operator or analyst may copy runs on the real Cassandra with deploy/schema.cql applied: the
 * statements of deploy/queries.cql, the fenced {@code sql}/{@code cql} blocks of README.md, docs/ and deploy/, and
 * the CQL written inline in those pages ({@code `SELECT …`}, {@code `DELETE FROM …`}). One test per statement, named
 * by its page and first line, so one broken example does not hide the others.
 *
 * <p>The examples name the default keyspace {@code tally}; they run in a keyspace of this test's, and the few
 * placeholders the pages write as {@code …} are replaced by the sample values listed in {@link #SAMPLES}.
 */
@ExtendWith(RealServices.class)
class DocumentedCqlTest {
    private static final Path ROOT = Path.of("..");
    private static final Pattern FENCED = Pattern.compile("^```(?:sql|cql)[^\\n]*\\n(.*?)^```",
            Pattern.MULTILINE | Pattern.DOTALL);
    private static final Pattern INLINE = Pattern.compile(
            "`((?:SELECT|DELETE FROM|INSERT INTO|UPDATE|TRUNCATE) [^`]+)`");
    /** The pages' placeholders and the sample values they stand for (the pages' own examples use the same). */
    private static final Map<String, String> SAMPLES = samples();

    private static String keyspace;
    private static CqlSession session;

    @BeforeAll
    static void schema() {
        keyspace = TestKeyspaces.create("docs_cql");
        session = SessionRegistry.builder(TestKeyspaces.settings(keyspace)).withKeyspace(keyspace).build();
    }

    @AfterAll
    static void close() {
        if (session != null) {
            session.close();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyDocumentedStatementRunsAgainstTheSchema() throws IOException {
        return examples().stream().map(example -> dynamicTest(example.name(), () -> {
            String statement = runnable(example.cql());
            assertThat(statement).as("a placeholder without a sample value in " + example.page())
                    .doesNotContain("…").doesNotContainPattern("<[a-z_-]+>");
            session.execute(statement);
        }));
    }

    /** Guards the extraction: were the pages' CQL no longer found, the factory above would pass with no tests. */
    @Test
    void theExamplesAreFoundWhereThePagesHoldThem() throws IOException {
        Map<String, Integer> perPage = new LinkedHashMap<>();
        examples().forEach(example -> perPage.merge(example.page(), 1, Integer::sum));
        assertThat(perPage.getOrDefault("deploy/queries.cql", 0)).as("statements of deploy/queries.cql")
                .isGreaterThanOrEqualTo(22);
        assertThat(perPage.getOrDefault("docs/tables-and-queries.md", 0)).as("examples in docs/tables-and-queries.md")
                .isGreaterThanOrEqualTo(8);
        assertThat(perPage.getOrDefault("deploy/OPERATIONS.md", 0)).as("inline CQL in deploy/OPERATIONS.md")
                .isGreaterThanOrEqualTo(4);
    }

    private static Map<String, String> samples() {
        Map<String, String> samples = new LinkedHashMap<>();
        samples.put("hour = '…'", "hour = '2026-11-22 14:00:00+0000'");
        samples.put("bucket IN (0, 1, …, 31)", "bucket IN (" + String.join(", ", buckets()) + ")");
        samples.put("month IN (…)", "month IN ('2026-10', '2026-11')");
        return samples;
    }

    private static List<String> buckets() {
        List<String> buckets = new ArrayList<>();
        for (int bucket = 0; bucket < 32; bucket++) {
            buckets.add(String.valueOf(bucket));
        }
        return buckets;
    }

    /** The statement as it runs here: this test's keyspace for {@code tally}, sample values for placeholders. */
    private static String runnable(String cql) {
        String statement = cql.replaceAll("\\btally\\.", keyspace + ".").replaceAll("^USE tally$", "USE " + keyspace);
        for (Map.Entry<String, String> sample : SAMPLES.entrySet()) {
            statement = statement.replace(sample.getKey(), sample.getValue());
        }
        return statement;
    }

    private record Example(String page, String cql) {
        String name() {
            String first = cql.lines().findFirst().orElse("").strip();
            return page + ": " + (first.length() > 90 ? first.substring(0, 90) + "…" : first);
        }
    }

    private static List<Example> examples() throws IOException {
        List<Example> examples = new ArrayList<>();
        for (String statement : SchemaApplier.fromCql(read("deploy/queries.cql")).statements()) {
            examples.add(new Example("deploy/queries.cql", statement));
        }
        for (String page : DocumentedPages.under(ROOT)) {
            String text = read(page);
            Matcher fenced = FENCED.matcher(text);
            while (fenced.find()) {
                for (String statement : SchemaApplier.fromCql(fenced.group(1)).statements()) {
                    examples.add(new Example(page, statement));
                }
            }
            Matcher inline = INLINE.matcher(text);
            while (inline.find()) {
                examples.add(new Example(page, inline.group(1).strip()));
            }
        }
        return examples;
    }

    private static String read(String page) throws IOException {
        return Files.readString(ROOT.resolve(page));
    }
}

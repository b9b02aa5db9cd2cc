package io.tally.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import io.tally.it.support.CountTables;
import io.tally.it.support.RealServices;
import io.tally.it.support.TestDirectories;
import io.tally.it.support.TestKeyspaces;
import io.tally.it.support.TestTopologies;
import io.tally.it.support.Truth;
import io.tally.local.sample.EventGenerator;
import io.tally.local.sample.GeneratedEvent;
import io.tally.spouts.file.FileSpoutSettings;
import io.tally.topology.TallyTopology;
import io.tally.topology.config.TallyConfig;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A 1,000,000-line export (about 340 MB) read by the log-file spout in bounded batches into the hourly counts on
 * the real servers, counted exactly. The hourly counts alone keep the run short; the other aggregates are checked
 * on smaller files elsewhere.
 */
@ExtendWith(RealServices.class)
class LargeLogFileTest {
    private static final int LINES = 1_000_000;

    @Test
    void aMillionLineFileIsCountedExactly() throws Exception {
        Path dir = TestDirectories.create("large-file-");
        String keyspace = TestKeyspaces.create("large_file");
        TallyConfig config = TestTopologies.historic(TallyConfig.builder())
                .name("it-large-file")
                .files(FileSpoutSettings.of(dir.toString(), "*.jsonl"))
                .cassandra(TestKeyspaces.settings(keyspace))
                .build();
        EventGenerator generator = new EventGenerator(31L, Instant.parse("2026-11-18T00:00:00Z"), 24, 10_000);
        Truth truth = new Truth();
        CqlSession session = TestKeyspaces.session();
        try {
            Path partial = dir.resolve("export.jsonl.partial");
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(partial), 1 << 20)) {
                for (int i = 0; i < LINES; i++) {
                    GeneratedEvent event = generator.next();
                    truth.add(event);
                    out.write(event.json());
                    out.write('\n');
                }
            }
            Files.move(partial, dir.resolve("export.jsonl")); // appears whole, as an upload would
            TestTopologies.submit(config, TallyTopology.build(config, TallyTopology.Scope.COUNTS_ONLY));

            assertThat(truth.events()).isEqualTo(LINES);
            CountTables.assertExact(session, keyspace, truth, Duration.ofMinutes(5));
        } finally {
            TestTopologies.killQuietly(config.name());
            TestDirectories.delete(dir);
        }
    }
}

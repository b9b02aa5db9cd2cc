package io.tally.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import io.tally.it.support.CountTables;
import io.tally.it.support.KafkaEvents;
import io.tally.it.support.RealServices;
import io.tally.it.support.TestDirectories;
import io.tally.it.support.TestKeyspaces;
import io.tally.it.support.TestTopologies;
import io.tally.it.support.Truth;
import io.tally.local.sample.EventGenerator;
import io.tally.local.sample.GeneratedEvent;
import io.tally.spouts.file.FileSpoutSettings;
import io.tally.testsupport.Eventually;
import io.tally.topology.config.TallyConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Log files and Kafka feeding the same counts, exactly: plain and gzip files, a file appended while it is read
 * (with a line completed only by a later write), rotation by rename, a new file appearing, and a kill and
 * resubmit of the topology in the middle of a large file.
 */
@ExtendWith(RealServices.class)
class LogFilesAndKafkaTest {
    private static final Duration DRAIN = Duration.ofMinutes(3);
    /** Completed files move to the done directory after this long unchanged. */
    private static final Duration DONE_AFTER = Duration.ofSeconds(20);

    @Test
    void filesAndKafkaCountExactlyThroughAppendsRotationAndResubmit() throws Exception {
        // A directory of its own, removed afterwards, so no earlier run's files are read.
        Path dir = TestDirectories.create("it-files-");
        Path done = dir.resolve("done");
        String topic = "files-and-kafka";
        String keyspace = TestKeyspaces.create("files");
        TestTopologies.createTopic(topic, 2);
        TallyConfig config = TestTopologies.config("it-files", topic, keyspace).toBuilder()
                .files(new FileSpoutSettings(dir.toString(), "*.jsonl*", 5_000, 8 * 1024 * 1024, 1024 * 1024,
                        1_000, 200, done.toString(), DONE_AFTER.toMillis()))
                .build();
        EventGenerator generator = new EventGenerator(99L, Instant.parse("2026-11-19T00:00:00Z"), 48, 3_000);
        Truth truth = new Truth();
        CqlSession session = TestKeyspaces.session();

        try (KafkaEvents kafka = new KafkaEvents(RealServices.stack().kafka().bootstrapServers(), topic, 2)) {
            writeLines(dir.resolve("app.jsonl"), truth.generate(generator, 20_000), false);
            writeGzip(dir.resolve("export-2026-11-19-00.jsonl.gz"), truth.generate(generator, 20_000));
            kafka.send(truth.generate(generator, 20_000));
            TestTopologies.submit(config);
            CountTables.assertExact(session, keyspace, truth, DRAIN);

            // Appended while being read, the last line completed by a later write.
            List<GeneratedEvent> appended = truth.generate(generator, 5_001);
            writeLines(dir.resolve("app.jsonl"), appended.subList(0, 5_000), true);
            byte[] last = appended.get(5_000).json();
            Files.write(dir.resolve("app.jsonl"), java.util.Arrays.copyOf(last, 40), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            Eventually.sleep(Duration.ofMillis(300));
            Files.write(dir.resolve("app.jsonl"), concat(java.util.Arrays.copyOfRange(last, 40, last.length),
                    new byte[] {'\n'}), StandardOpenOption.APPEND);
            // Rotation: the file is renamed and a new one takes its name.
            Files.move(dir.resolve("app.jsonl"), dir.resolve("app.jsonl.1"));
            writeLines(dir.resolve("app.jsonl.1"), truth.generate(generator, 1_000), true);
            writeLines(dir.resolve("app.jsonl"), truth.generate(generator, 3_000), false);
            CountTables.assertExact(session, keyspace, truth, DRAIN);

            // A large new file; the topology is killed while reading it and submitted again.
            long before = CountTables.total(CountTables.hourly(session, keyspace));
            writeLines(dir.resolve("backfill.jsonl"), truth.generate(generator, 150_000), false);
            Eventually.poll(() -> CountTables.total(CountTables.hourly(session, keyspace)), t -> t >= before + 10_000,
                    DRAIN);
            RealServices.stack().storm().kill(config.name());
            long atKill = CountTables.total(CountTables.hourly(session, keyspace));
            TestTopologies.submit(config);
            CountTables.assertExact(session, keyspace, truth, DRAIN);
            assertThat(truth.events()).isEqualTo(219_001);
            assertThat(atKill).as("killed in the middle of the large file").isLessThan(truth.events());

            // The export, unchanged since the start, has been read, committed and moved; nothing was counted twice.
            Path export = done.resolve("export-2026-11-19-00.jsonl.gz");
            Eventually.poll(() -> Files.exists(export), moved -> moved, DONE_AFTER.multipliedBy(3));
            assertThat(dir.resolve("export-2026-11-19-00.jsonl.gz")).doesNotExist();
            CountTables.assertExact(session, keyspace, truth, DRAIN);
        } finally {
            TestTopologies.killQuietly(config.name());
            TestDirectories.delete(dir);
        }
    }

    private static void writeLines(Path file, List<GeneratedEvent> events, boolean append) throws IOException {
        // CREATE as a logger reopening its file would: a quiet file may have been moved to the done directory.
        try (OutputStream out = append ? Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)
                : Files.newOutputStream(file)) {
            for (GeneratedEvent event : events) {
                out.write(event.json());
                out.write('\n');
            }
        }
    }

    private static void writeGzip(Path file, List<GeneratedEvent> events) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(partial))) {
            for (GeneratedEvent event : events) {
                out.write(event.json());
                out.write('\n');
            }
        }
        // Appears whole, as an hourly export is uploaded: the glob does not match the temporary name.
        Files.move(partial, file);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}

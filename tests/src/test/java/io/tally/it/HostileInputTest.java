package io.tally.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.tally.it.support.CountTables;
import io.tally.it.support.HostileRecords.Channel;
import io.tally.it.support.HostileRecords;
import io.tally.it.support.KafkaEvents;
import io.tally.it.support.MetricsCapture;
import io.tally.it.support.RealServices;
import io.tally.it.support.TestDirectories;
import io.tally.it.support.TestKeyspaces;
import io.tally.it.support.TestTopologies;
import io.tally.it.support.Truth;
import io.tally.local.kafka.KafkaTopics;
import io.tally.local.sample.EventGenerator;
import io.tally.local.sample.GeneratedEvent;
import io.tally.spouts.SpoutMetrics;
import io.tally.spouts.file.FileSpoutSettings;
import io.tally.state.cassandra.CassandraStateMetrics;
import io.tally.testsupport.Eventually;
import io.tally.testsupport.LogCapture;
import io.tally.topology.TallyTopology;
import io.tally.topology.config.TallyConfig;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue #9, hostile input at volume: 1,000,000 records, about 38% of them hostile (malformed and truncated JSON,
 * wrong types, missing fields, absurd timestamps, nesting 30,000 deep, bytes that are not UTF-8, binary garbage
 * with NULs, UTF-16, records of 3 to 8 MB) and 5% producer duplicates, four fifths through the log-file spout and
 * one fifth through Kafka, into the full production topology. Checked against the truth the generator states:
 * the hourly counts exactly; every rejected record stored and counted under the reason it was built to have;
 * the Storm metrics (accepted, rejected per reason, duplicates dropped) equal to the same truth; no error reported
 * by any executor, and the same topology still counts a sentinel batch afterwards (no worker died); and not one
 * log line for all those bad records.
 */
@ExtendWith(RealServices.class)
class HostileInputTest {
    private static final int RECORDS = 1_000_000;
    private static final int PARTITIONS = 4;
    private static final String TOPIC = "hostile-events";
    /**
     * Multi-megabyte records by their place in the input: through Kafka whole (every fifth record goes to Kafka) and
     * through the file, where the spout cuts them at its line limit.
     */
    private static final Map<Integer, Integer> HUGE_RECORD_BYTES = Map.of(
            250_000, 3 << 20, 500_000, 5 << 20, 750_000, 8 << 20,
            250_001, 4 << 20, 500_001, 8 << 20);
    private static final int LARGEST_RECORD = 8 << 20;
    private static final int SENTINEL_EVENTS = 1_000;
    private static final Duration DRAIN = Duration.ofMinutes(4);
    private static final int METRICS_SECONDS = 5;

    /** The truth, as the generator states it. */
    private static final class Expected {
        final Truth counted = new Truth();
        final Map<String, Long> rejectedPerReason = new TreeMap<>();
        long duplicates;
        long records;

        void add(HostileRecords.Record record) {
            records++;
            if (record.outcome() instanceof HostileRecords.Counted c) {
                counted.add(c.event());
            } else if (record.outcome() instanceof HostileRecords.Duplicate) {
                duplicates++;
            } else {
                rejectedPerReason.merge(((HostileRecords.Rejected) record.outcome()).reason(), 1L, Long::sum);
            }
        }

        long rejected() {
            return rejectedPerReason.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    @Test
    void aMillionMixedRecordsAreEachCountedOrRejectedWithTheirReason() throws Exception {
        long startedAt = System.nanoTime();
        Path dir = TestDirectories.create("hostile-");
        String keyspace = TestKeyspaces.create("hostile");
        String bootstrap = RealServices.stack().kafka().bootstrapServers();
        KafkaTopics.create(bootstrap, TOPIC, PARTITIONS,
                Map.of("max.message.bytes", String.valueOf(LARGEST_RECORD + (1 << 20))));
        TallyConfig config = TestTopologies.config("it-hostile", TOPIC, keyspace).toBuilder()
                .files(FileSpoutSettings.of(dir.toString(), "*.jsonl"))
                .build();
        EventGenerator events = new EventGenerator(909L, Instant.parse("2026-11-20T00:00:00Z"), 6, 2_000);
        HostileRecords records = new HostileRecords(9L, events);
        Expected expected = new Expected();

        List<byte[]> toKafka = new ArrayList<>();
        Path partial = dir.resolve("hostile.jsonl.partial");
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(partial), 1 << 20)) {
            for (int i = 0; i < RECORDS; i++) {
                Channel channel = i % 5 == 0 ? Channel.KAFKA : Channel.FILE;
                Integer huge = HUGE_RECORD_BYTES.get(i);
                HostileRecords.Record record = huge != null ? records.huge(huge) : records.next(channel);
                expected.add(record);
                if (channel == Channel.KAFKA) {
                    toKafka.add(record.payload());
                } else {
                    file.write(record.payload());
                    file.write('\n');
                }
            }
        }
        assertThat(expected.records).isEqualTo(RECORDS);
        // Every record the generator built is exactly one of counted, duplicate or rejected.
        assertThat(expected.counted.events() + expected.duplicates + expected.rejected()).isEqualTo(RECORDS);
        assertThat(expected.rejectedPerReason.keySet()).hasSizeGreaterThanOrEqualTo(15);

        CqlSession session = TestKeyspaces.session();
        MetricsCapture.reset();
        SpoutMetrics.Totals spoutsBefore = SpoutMetrics.totals();
        long failedCallsBefore = CassandraStateMetrics.totals().failedCalls();
        try (KafkaEvents kafka = new KafkaEvents(bootstrap, TOPIC, PARTITIONS, LARGEST_RECORD);
                LogCapture log = LogCapture.start()) {
            kafka.sendPayloads(toKafka);
            toKafka.clear();
            Files.move(partial, dir.resolve("hostile.jsonl")); // appears whole, as an upload would
            Map<String, Object> conf = TallyTopology.stormConfig(config);
            MetricsCapture.register(conf, METRICS_SECONDS);
            RealServices.stack().storm().submit(config.name(), conf, TallyTopology.build(config));
            long submittedAt = System.nanoTime();

            CountTables.assertExact(session, keyspace, expected.counted, DRAIN);
            Map<String, Long> counted = Eventually.poll(() -> rejectedCounts(session, keyspace),
                    expected.rejectedPerReason::equals, Duration.ofMinutes(1));
            assertThat(counted).isEqualTo(expected.rejectedPerReason);
            assertThat(rejectedRows(session, keyspace)).isEqualTo(expected.rejectedPerReason);

            long countedAt = System.nanoTime();
            assertMetricsEqualTheTruth(expected, spoutsBefore);

            // The same topology, past all of that, still reads both sources and counts.
            EventGenerator sentinel = new EventGenerator(910L, Instant.parse("2026-11-20T06:00:00Z"), 1, 100);
            kafka.send(expected.counted.generate(sentinel, SENTINEL_EVENTS / 2));
            writeLines(dir.resolve("sentinel.jsonl"), expected.counted.generate(sentinel, SENTINEL_EVENTS / 2));
            CountTables.assertExact(session, keyspace, expected.counted, DRAIN);

            assertThat(RealServices.stack().storm().reportedErrors(config.name())).isEmpty();
            assertNoLinePerRecord(log.lines(), CassandraStateMetrics.totals().failedCalls() - failedCallsBefore);
            // For the README: where the time goes (not asserted).
            System.out.printf("hostile input: %,d records (%,d counted, %,d duplicates, %,d rejected) written and sent"
                    + " in %d s, counted %d s after submission; whole test %d s; %s; failed Cassandra calls %s%n",
                    RECORDS, expected.counted.events(), expected.duplicates, expected.rejected(),
                    seconds(submittedAt - startedAt), seconds(countedAt - submittedAt),
                    seconds(System.nanoTime() - startedAt), SpoutMetrics.totals(),
                    CassandraStateMetrics.failuresByCause());
        } finally {
            TestTopologies.killQuietly(config.name());
            TestDirectories.delete(dir);
        }
    }

    /**
     * Storm metrics count work done, so a replayed batch (possible under load, none is forced here) is counted again.
     * Every record emitted, first time or replayed, is accepted or rejected exactly once, so accepted plus rejected
     * equals the records plus those the spouts re-emitted, always; with no replay each metric equals its truth.
     */
    private static void assertMetricsEqualTheTruth(Expected expected, SpoutMetrics.Totals before) {
        long accepted = expected.counted.events() + expected.duplicates;
        long replayedRecords = SpoutMetrics.totals().replayedRecords() - before.replayedRecords();
        Eventually.poll(HostileInputTest::ingestedPerMetrics, sum -> sum >= RECORDS + replayedRecords,
                Duration.ofSeconds(METRICS_SECONDS * 6L));
        Eventually.poll(() -> MetricsCapture.count(TallyTopology.DUPLICATES_DROPPED_METRIC),
                sum -> sum >= expected.duplicates, Duration.ofSeconds(METRICS_SECONDS * 3L));
        assertThat(ingestedPerMetrics()).isEqualTo(RECORDS + replayedRecords);
        if (replayedRecords == 0) {
            assertThat(MetricsCapture.count("tally.ingest.accepted")).isEqualTo(accepted);
            assertThat(MetricsCapture.counts("tally.ingest.rejected")).isEqualTo(expected.rejectedPerReason);
            assertThat(MetricsCapture.count(TallyTopology.DUPLICATES_DROPPED_METRIC)).isEqualTo(expected.duplicates);
        } else {
            String replayed = replayedRecords + " records replayed";
            assertThat(MetricsCapture.count("tally.ingest.accepted")).as(replayed).isGreaterThanOrEqualTo(accepted);
            expected.rejectedPerReason.forEach((reason, count) ->
                    assertThat(MetricsCapture.counts("tally.ingest.rejected").get(reason)).as(replayed + ", " + reason)
                            .isGreaterThanOrEqualTo(count));
            assertThat(MetricsCapture.count(TallyTopology.DUPLICATES_DROPPED_METRIC)).as(replayed)
                    .isGreaterThanOrEqualTo(expected.duplicates);
        }
        assertThat(MetricsCapture.count("tally.spout.kafka.batches_committed")).isPositive();
        assertThat(MetricsCapture.count("tally.spout.files.batches_committed")).isPositive();
    }

    private static long ingestedPerMetrics() {
        return MetricsCapture.count("tally.ingest.accepted")
                + MetricsCapture.counts("tally.ingest.rejected").values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Not a line for any bad record: the only WARN or ERROR lines Tally may write here are failed Cassandra calls
     * (possible under load, each replayed and logged once with its cause), one line per failed call.
     */
    private static void assertNoLinePerRecord(List<LogCapture.Line> lines, long failedCalls) {
        List<LogCapture.Line> failedCallLines = lines.stream()
                .filter(line -> line.message().startsWith("Cassandra ") && line.message().contains(" failed; "))
                .toList();
        assertThat(lines).as("WARN/ERROR lines other than failed Cassandra calls").containsExactlyElementsOf(failedCallLines);
        assertThat((long) failedCallLines.size()).isEqualTo(failedCalls);
    }

    private static long seconds(long nanos) {
        return Duration.ofNanos(nanos).toSeconds();
    }

    private static Map<String, Long> rejectedCounts(CqlSession session, String keyspace) {
        Map<String, Long> perReason = new TreeMap<>();
        for (Row row : session.execute("SELECT reason, count FROM " + keyspace + ".rejected_counts_by_hour")) {
            perReason.merge(row.getString("reason"), row.getLong("count"), Long::sum);
        }
        return perReason;
    }

    /** The rows of {@code rejected_events} per reason, counted partition by partition. */
    private static Map<String, Long> rejectedRows(CqlSession session, String keyspace) {
        Map<String, Long> perReason = new TreeMap<>();
        List<Row> partitions = session.execute(SimpleStatement.newInstance(
                "SELECT DISTINCT reason, hour FROM " + keyspace + ".rejected_events").setTimeout(Duration.ofMinutes(1)))
                .all();
        for (Row partition : partitions) {
            Row count = session.execute(SimpleStatement.newInstance("SELECT COUNT(*) FROM " + keyspace
                    + ".rejected_events WHERE reason = ? AND hour = ?", partition.getString("reason"),
                    partition.getInstant("hour")).setTimeout(Duration.ofMinutes(1))).one();
            perReason.merge(partition.getString("reason"), count.getLong(0), Long::sum);
        }
        return perReason;
    }

    private static void writeLines(Path file, List<GeneratedEvent> lines) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        try (OutputStream out = Files.newOutputStream(partial)) {
            for (GeneratedEvent event : lines) {
                out.write(event.json());
                out.write('\n');
            }
        }
        Files.move(partial, file);
    }
}

package io.tally.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import io.tally.it.support.AggregateTables;
import io.tally.it.support.AggregateTruth;
import io.tally.it.support.CountTables;
import io.tally.it.support.MetricsCapture;
import io.tally.it.support.RealServices;
import io.tally.it.support.TestDirectories;
import io.tally.it.support.TestKeyspaces;
import io.tally.it.support.TestTopologies;
import io.tally.local.sample.EventGenerator;
import io.tally.local.sample.GeneratedEvent;
import io.tally.local.sample.HourlyExports;
import io.tally.local.server.LocalTopologyProcess;
import io.tally.local.server.S3Server;
import io.tally.spouts.objectstore.ObjectStoreSettings;
import io.tally.testsupport.Eventually;
import io.tally.testsupport.LogCapture;
import io.tally.topology.TallyTopology;
import io.tally.topology.config.BatchSettings;
import io.tally.topology.config.TallyConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Hourly gzip exports in a bucket of a real S3 API server (S3Proxy in its own JVM, from Maven Central) read by the
 * production topology into the real Cassandra: every count, distinct-user and reject table equals the truth computed
 * from what was exported — duplicates within an object and across sources included — through objects uploaded while
 * the topology runs, an object overwritten while it is read (the documented policy: the new version is read as a new
 * object and its records already counted are dropped by messageId), the store down for 10 s, and a kill -9 of the
 * LocalCluster JVM in the middle of an object.
 */
@ExtendWith(RealServices.class)
class ObjectStoreSourceTest {
    private static final Duration DRAIN = Duration.ofMinutes(2);
    private static final Duration SETTLE = Duration.ofSeconds(1);
    private static final String EXPORTS = "segment-logs/";
    private static final String WEB = EXPORTS + "web/";
    private static final String IOS = EXPORTS + "ios/";
    /** Small batches (1,000 lines a prefix) and ranges (64 KiB), so that an object of 20,000 lines takes many. */
    private static final int BATCH_LINES = 1_000;
    private static final int RANGE_BYTES = 64 * 1024;
    /** Lines built to be rejected, each for one reason. */
    private static final Map<String, byte[]> BAD = new TreeMap<>(Map.of(
            "invalid_json", utf8("{\"type\":\"track\",\"userId\":\"u\",\"event\":"),
            "not_an_object", utf8("[{\"type\":\"track\"}]"),
            "missing_type", utf8("{\"userId\":\"u\",\"event\":\"x\",\"receivedAt\":\"2026-11-20T00:00:00Z\"}")));

    private static Path dir;
    private static S3Server store;
    private static S3Client s3;

    /** What the exports hold: their events (a duplicate counts once) and their bad lines per reason. */
    private static final class Exported {
        final AggregateTruth events = new AggregateTruth(List.of());
        final Map<String, Long> rejects = new TreeMap<>();
    }

    @BeforeAll
    static void startStore() {
        dir = TestDirectories.create("objects-");
        store = S3Server.start(dir.resolve("s3"), 0);
        S3Server.useCredentialsInThisJvm();
        s3 = store.client();
    }

    @AfterAll
    static void stopStore() throws Exception {
        s3.close();
        store.stop();
        TestDirectories.delete(dir);
    }

    @Test
    void exportsCountExactlyThroughUploadsAnOverwriteMidReadAndTheStoreDown() throws Exception {
        String bucket = "exports";
        s3.createBucket(r -> r.bucket(bucket));
        String keyspace = TestKeyspaces.create("objects");
        TallyConfig config = TestTopologies.historic(TallyConfig.builder()).name("it-objects")
                .objects(settings(bucket, List.of(WEB, IOS)))
                .cassandra(TestKeyspaces.settings(keyspace))
                .batch(BatchSettings.builder().spoutParallelism(2).parallelism(2).build())
                .build();
        CqlSession session = TestKeyspaces.session();
        Exported exported = new Exported();

        // (a) Six hours of two sources: duplicates in an object and across the sources, a bad line in each object.
        List<GeneratedEvent> web = generate(11L, "2026-11-20T00:00:00Z", 6, 3_000);
        List<GeneratedEvent> ios = generate(12L, "2026-11-20T00:00:00Z", 6, 3_000);
        for (int i = 0; i < web.size(); i += 25) {
            ios.add(web.get(i)); // delivered by both paths
        }
        int objects = export(bucket, "web", web, exported, true) + export(bucket, "ios", ios, exported, true);
        assertThat(exported.events.duplicates()).as("duplicates exported").isGreaterThan(400);
        Map<String, Object> conf = TallyTopology.stormConfig(config);
        MetricsCapture.reset();
        MetricsCapture.register(conf, 1);
        try (LogCapture log = LogCapture.start()) {
            RealServices.stack().storm().submit(config.name(), conf, TallyTopology.build(config));
            assertExact(session, keyspace, exported);
            assertThat(objects).isGreaterThanOrEqualTo(12);

            // (b) Three more hours, uploaded one object at a time while the topology runs.
            export(bucket, "web", generate(13L, "2026-11-20T06:00:00Z", 3, 2_000), exported, true);
            export(bucket, "ios", generate(14L, "2026-11-20T06:00:00Z", 3, 2_000), exported, true);
            assertExact(session, keyspace, exported);

            // (d) An export overwritten while it is read, by a re-export of the same events and more. The first
            // version takes a hundred batches to read, so the overwrite lands within it even if the poll that
            // starts it is late by many batches: a version read to its end before the overwrite is never read again.
            String key = WEB + "2026-11-20/12.gz";
            int firstVersion = 100 * BATCH_LINES;
            List<GeneratedEvent> first = generate(15L, "2026-11-20T12:00:00Z", 1, firstVersion);
            List<GeneratedEvent> again = new ArrayList<>(first);
            again.addAll(generate(16L, "2026-11-20T12:00:00Z", 1, 2_000));
            long before = countedEvents(session, keyspace);
            HourlyExports.put(s3, bucket, key, json(first));
            long atOverwrite = pollFast(() -> countedEvents(session, keyspace) - before, n -> n > 0);
            HourlyExports.put(s3, bucket, key, json(again));
            again.forEach(exported.events::add);
            assertThat(atOverwrite).as("events of the first version counted before the overwrite")
                    .isBetween(1L, firstVersion - 1L);
            assertExact(session, keyspace, exported);
            assertThat(log.lines()).anySatisfy(line -> assertThat(line.message())
                    .contains("S3 object " + key).contains("was overwritten after").contains("read from its start"));
            assertThat(Eventually.poll(() -> MetricsCapture.count("tally.objects.changed_mid_read"), n -> n > 0,
                    Duration.ofSeconds(10))).isEqualTo(1);

            // (e) The store down for 10 s while two new exports are read.
            export(bucket, "web", generate(17L, "2026-11-20T14:00:00Z", 1, 3_000), exported, false);
            export(bucket, "ios", generate(18L, "2026-11-20T14:00:00Z", 1, 3_000), exported, false);
            store.stop();
            try {
                Eventually.sleep(Duration.ofSeconds(10));
            } finally {
                store = store.startAgain();
            }
            assertExact(session, keyspace, exported);
            assertThat(log.lines()).anySatisfy(line -> assertThat(line.message())
                    .startsWith("Object store bucket 'exports' at " + store.endpoint() + " fails: ")
                    .contains("Connect to 127.0.0.1:" + store.port()).contains("nothing is skipped"));
        } finally {
            TestTopologies.killQuietly(config.name());
        }
    }

    @Test
    void aKillDashNineMidObjectThenARestartCountsExactly() throws Exception {
        String bucket = "exports-crash";
        s3.createBucket(r -> r.bucket(bucket));
        String keyspace = TestKeyspaces.create("objectscrash");
        Path crashDir = TestDirectories.create("objects-crash-");
        Path configFile = crashDir.resolve("tally.yaml");
        TestTopologies.writeConfigFile(configFile, "it-objects-crash", 1, keyspace, String.join("\n",
                "objects:",
                "  bucket: " + bucket,
                "  prefixes: [" + WEB + "]",
                "  endpoint: " + store.endpoint(),
                "  max_batch_lines: " + BATCH_LINES,
                "  range_bytes: " + RANGE_BYTES,
                "  scan_interval_ms: 300"));
        Exported exported = new Exported();
        CqlSession session = TestKeyspaces.session();
        String[] hours = {"00", "01", "02"};
        int[] sizes = {2_000, 30_000, 2_000};
        for (int i = 0; i < hours.length; i++) {
            List<GeneratedEvent> events = generate(20L + i, "2026-11-21T" + hours[i] + ":00:00Z", 1, sizes[i]);
            events.forEach(exported.events::add);
            HourlyExports.put(s3, bucket, WEB + "2026-11-21/" + hours[i] + ".gz", json(events));
        }
        LocalTopologyProcess storm = LocalTopologyProcess.start(crashDir.resolve("zookeeper"), configFile,
                crashDir.resolve("local-cluster.log"), S3Server.credentialsEnvironment());
        try {
            // Past the first object and into the large second one.
            long atKill = pollFast(() -> countedEvents(session, keyspace), n -> n > sizes[0] + BATCH_LINES);
            storm.kill();
            assertThat(atKill).as("killed in the middle of the large object").isLessThan(sizes[0] + sizes[1]);
            storm = storm.startAgain();
            assertExact(session, keyspace, exported);
        } finally {
            storm.close();
            TestDirectories.delete(crashDir);
        }
    }

    private static ObjectStoreSettings settings(String bucket, List<String> prefixes) {
        return ObjectStoreSettings.of(bucket).withPrefixes(prefixes).withEndpoint(store.endpoint(), null)
                .withBatchLimits(BATCH_LINES, 8 * 1024 * 1024, 100).withRangeBytes(RANGE_BYTES)
                .withScanIntervalMillis(300);
    }

    private static List<GeneratedEvent> generate(long seed, String start, int hours, int count) {
        EventGenerator generator = new EventGenerator(seed, Instant.parse(start), hours, 1_000);
        List<GeneratedEvent> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(generator.next());
        }
        return events;
    }

    /**
     * Uploads {@code events} as hourly exports of {@code source}, every 20th event a second time in the same object
     * and, with {@code badLines}, one bad line in the middle of each object; returns the number of objects.
     */
    private static int export(String bucket, String source, List<GeneratedEvent> events, Exported exported,
            boolean badLines) {
        List<GeneratedEvent> withDuplicates = new ArrayList<>(events);
        for (int i = 0; i < events.size(); i += 20) {
            withDuplicates.add(events.get(i));
        }
        withDuplicates.forEach(exported.events::add);
        SortedMap<String, List<byte[]>> objects = HourlyExports.byReceiptHour(EXPORTS, source, json(withDuplicates));
        List<String> reasons = new ArrayList<>(BAD.keySet());
        int n = 0;
        for (Map.Entry<String, List<byte[]>> object : objects.entrySet()) {
            List<byte[]> lines = new ArrayList<>(object.getValue());
            if (badLines) {
                String reason = reasons.get(n % reasons.size());
                lines.add(lines.size() / 2, BAD.get(reason));
                exported.rejects.merge(reason, 1L, Long::sum);
            }
            HourlyExports.put(s3, bucket, object.getKey(), lines);
            n++;
        }
        return n;
    }

    private static List<byte[]> json(List<GeneratedEvent> events) {
        return events.stream().map(GeneratedEvent::json).toList();
    }

    /** Every count and distinct-user table, and the rejects per reason, equal the truth. */
    private static void assertExact(CqlSession session, String keyspace, Exported exported) {
        AggregateTables.assertExact(session, keyspace, exported.events, DRAIN, SETTLE);
        assertThat(Eventually.poll(() -> CountTables.rejectedPerReason(session, keyspace), exported.rejects::equals, DRAIN))
                .isEqualTo(exported.rejects);
    }

    /** Events counted so far: the all-events rows of the hourly counts. */
    private static long countedEvents(CqlSession session, String keyspace) {
        return AggregateTables.read(session, keyspace, "event_counts_by_hour", List.of("event", "hour"), "count")
                .entrySet().stream().filter(e -> e.getKey().get(0).equals(AggregateTruth.ALL))
                .mapToLong(Map.Entry::getValue).sum();
    }

    /** Polls every 20 ms (so as not to miss a moment that lasts a few batches), for at most {@link #DRAIN}. */
    private static long pollFast(java.util.function.LongSupplier read, java.util.function.LongPredicate done) {
        long deadline = System.nanoTime() + DRAIN.toNanos();
        long value = read.getAsLong();
        while (!done.test(value) && System.nanoTime() < deadline) {
            Eventually.sleep(Duration.ofMillis(20));
            value = read.getAsLong();
        }
        return value;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}

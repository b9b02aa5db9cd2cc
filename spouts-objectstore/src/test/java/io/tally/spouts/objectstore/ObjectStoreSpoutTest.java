package io.tally.spouts.objectstore;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.testsupport.RecordingCollector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.apache.storm.shade.net.minidev.json.JSONValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The emitter driven batch by batch as Trident's partitioned executor drives it, its metadata kept as Trident
 * keeps it (JSON, in ZooKeeper), reading from the real S3 API server with the real SDK client.
 */
class ObjectStoreSpoutTest {
    @TempDir
    static Path storage;
    static S3ProxyServer server;
    static S3Client s3;

    String bucket;
    final List<String> warnings = new CopyOnWriteArrayList<>();
    private AbstractAppender capture;

    @BeforeAll
    static void start() throws Exception {
        server = S3ProxyServer.start(storage);
        s3 = ObjectStoreClient.build(ObjectStoreSettings.of("any").withEndpoint(server.endpoint(), null));
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
        server.close();
    }

    @BeforeEach
    void bucketAndLog(TestInfo test) {
        bucket = "b-" + test.getTestMethod().orElseThrow().getName().toLowerCase().replaceAll("[^a-z0-9]", "")
                .substring(0, 20);
        s3.createBucket(r -> r.bucket(bucket));
        capture = new AbstractAppender("captured", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                warnings.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
            }
        };
        capture.start();
        ((Logger) LogManager.getLogger(ObjectStoreSpout.class)).addAppender(capture);
        ((Logger) LogManager.getLogger(StoreOutage.class)).addAppender(capture);
    }

    @AfterEach
    void stopCapture() {
        ((Logger) LogManager.getLogger(ObjectStoreSpout.class)).removeAppender(capture);
        ((Logger) LogManager.getLogger(StoreOutage.class)).removeAppender(capture);
        capture.stop();
    }

    ObjectStoreSettings settings() {
        return ObjectStoreSettings.of(bucket).withEndpoint(server.endpoint(), null).withScanIntervalMillis(1);
    }

    ObjectStoreSpout.ObjectEmitter emitter(ObjectStoreSettings settings) {
        return new ObjectStoreSpout.ObjectEmitter(settings, new ObjectStoreClient(settings), null, Map.of());
    }

    Exports.Export put(String key, Exports content) {
        Exports.Export export = content.build(bucket, key);
        s3.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromBytes(export.stored()));
        return export;
    }

    static ObjectsPartition partition(ObjectStoreSettings settings, int index) {
        return ObjectsPartition.parse(new ObjectStoreSpout.PrefixCoordinator(settings).getPartitionsForBatch()
                .get(index));
    }

    /** What one batch emitted and the metadata Trident stored for it (read back from JSON as Trident does). */
    record Batch(List<Exports.Line> lines, Map<String, Object> meta, int metaJsonBytes) {
    }

    static List<Exports.Line> lines(RecordingCollector collected) {
        return collected.emitted().stream().map(t -> new Exports.Line((String) t.get(1), (Long) t.get(2),
                new String((byte[]) t.get(0), StandardCharsets.UTF_8))).toList();
    }

    @SuppressWarnings("unchecked")
    static Batch batch(ObjectStoreSpout.ObjectEmitter emitter, ObjectsPartition partition, Map<String, Object> last) {
        RecordingCollector collected = new RecordingCollector();
        Map<ObjectsPartition, Map<String, Object>> lastMetas = new HashMap<>();
        lastMetas.put(partition, last);
        Map<String, Object> meta = emitter.emitBatchNew(null, collected, Set.of(partition), lastMetas).get(partition);
        String json = JSONValue.toJSONString(meta);
        return new Batch(lines(collected), (Map<String, Object>) JSONValue.parse(json),
                json.getBytes(StandardCharsets.UTF_8).length);
    }

    static List<Exports.Line> replay(ObjectStoreSpout.ObjectEmitter emitter, ObjectsPartition partition,
            Map<String, Object> meta) {
        RecordingCollector collected = new RecordingCollector();
        emitter.reEmitPartitionBatch(null, collected, partition, meta);
        return lines(collected);
    }

    /** Batches until one reads nothing, each checked against the limits. */
    static List<Batch> readAll(ObjectStoreSpout.ObjectEmitter emitter, ObjectsPartition partition,
            ObjectStoreSettings settings, Map<String, Object> from) {
        List<Batch> batches = new ArrayList<>();
        Map<String, Object> last = from;
        while (true) {
            Batch batch = batch(emitter, partition, last);
            if (batch.lines().isEmpty() && batch.meta().get(ObjectStoreSpout.CURRENT) == null) {
                return batches;
            }
            assertThat(batch.lines().size()).isLessThanOrEqualTo(settings.maxBatchLines());
            assertThat(readObjects(batch)).isLessThanOrEqualTo(settings.maxBatchObjects());
            batches.add(batch);
            last = batch.meta();
        }
    }

    static int readObjects(Batch batch) {
        return ((List<?>) batch.meta().get(ObjectStoreSpout.READS)).size();
    }

    static List<Exports.Line> allLines(List<Batch> batches) {
        return batches.stream().flatMap(b -> b.lines().stream()).toList();
    }

    static List<Exports.Line> expected(Exports.Export... exports) {
        List<Exports.Line> lines = new ArrayList<>();
        for (Exports.Export export : exports) {
            lines.addAll(export.lines());
        }
        return lines;
    }

    @Test
    void readsEveryRecordOfPlainAndGzipObjectsOnceInKeyOrder() {
        Exports mixedEnds = new Exports().line("{\"messageId\":\"crlf-1\"}", "\r\n").line("")
                .line("{\"messageId\":\"crlf-2\"}", "\r\n").line("{\"messageId\":\"last-unterminated\"}", "");
        Exports.Export h00 = put("segment-logs/web/2026-12-05/00.gz", Exports.events("h00", 0, 40));
        Exports.Export h01 = put("segment-logs/web/2026-12-05/01.jsonl", Exports.events("h01", 0, 25));
        put("segment-logs/web/2026-12-05/02.gz", new Exports()); // empty
        Exports.Export h03 = put("segment-logs/web/2026-12-05/03.jsonl", mixedEnds);
        Exports.Export h04 = put("segment-logs/web/2026-12-05/04.gz", Exports.events("h04", 0, 3));
        put("other/ignored.jsonl", Exports.events("ignored", 0, 5));

        ObjectStoreSettings settings = settings().withPrefixes(List.of("segment-logs/"))
                .withBatchLimits(7, 400, 2).withRangeBytes(100);
        ObjectStoreSpout.ObjectEmitter emitter = emitter(settings);
        List<Batch> batches = readAll(emitter, partition(settings, 0), settings, null);

        assertThat(allLines(batches)).containsExactlyElementsOf(expected(h00, h01, h03, h04));
        // The byte limit counts across objects: a batch stops within one line of it.
        int longestLine = allLines(batches).stream().mapToInt(l -> l.payload().length() + 2).max().orElseThrow();
        for (Batch batch : batches) {
            long bytes = 0;
            for (Object read : (List<?>) batch.meta().get(ObjectStoreSpout.READS)) {
                Map<?, ?> range = (Map<?, ?>) read;
                bytes += ((Number) range.get(ObjectStoreSpout.END)).longValue()
                        - ((Number) range.get(ObjectStoreSpout.START)).longValue();
            }
            assertThat(bytes).isLessThan(400 + longestLine);
        }
        assertThat(emitter.objectsRead.getValueAndReset()).isEqualTo(5L);
        assertThat(batches.get(batches.size() - 1).meta().get(ObjectStoreSpout.WATERMARK))
                .isEqualTo("segment-logs/web/2026-12-05/04.gz");

        // Objects uploaded later, after the watermark, are read by the batches that follow.
        Exports.Export h05 = put("segment-logs/web/2026-12-05/05.gz", Exports.events("h05", 0, 9));
        List<Batch> more = readAll(emitter, partition(settings, 0), settings,
                batches.get(batches.size() - 1).meta());
        assertThat(allLines(more)).containsExactlyElementsOf(h05.lines());
        emitter.close();
    }

    @Test
    void aReplayReadsTheSameBytesOrNone() {
        Exports.Export a = put("exports/a.gz", Exports.events("a", 0, 30));
        Exports.Export b = put("exports/b.jsonl", Exports.events("b", 0, 30));
        ObjectStoreSettings settings = settings().withBatchLimits(8, 1 << 20, 100).withRangeBytes(128);
        ObjectStoreSpout.ObjectEmitter emitter = emitter(settings);
        ObjectsPartition partition = partition(settings, 0);
        List<Batch> batches = readAll(emitter, partition, settings, null);
        assertThat(allLines(batches)).containsExactlyElementsOf(expected(a, b));

        // A new emitter, as after a worker restart: each batch's replay is exactly its first attempt.
        ObjectStoreSpout.ObjectEmitter restarted = emitter(settings);
        for (Batch batch : batches) {
            assertThat(replay(restarted, partition, batch.meta())).containsExactlyElementsOf(batch.lines());
        }

        // b overwritten with as many bytes, all of them different: its batches cannot be read again, and are not.
        byte[] original = b.stored();
        byte[] rewritten = new byte[original.length];
        for (int i = 0; i < rewritten.length; i++) {
            rewritten[i] = original[i] == '\n' ? (byte) '\n' : (byte) 'z';
        }
        s3.putObject(r -> r.bucket(bucket).key("exports/b.jsonl"), RequestBody.fromBytes(rewritten));
        List<Exports.Line> replayed = new ArrayList<>();
        for (Batch batch : batches) {
            replayed.addAll(replay(restarted, partition, batch.meta()));
        }
        assertThat(replayed).containsExactlyElementsOf(a.lines());
        long batchesReadingB = batches.stream().filter(batch -> batch.lines().stream()
                .anyMatch(line -> line.source().contains("exports/b.jsonl"))).count();
        assertThat(restarted.replayUnreadable.getValueAndReset()).isEqualTo(batchesReadingB);
        assertThat(warnings).filteredOn(w -> w.startsWith("WARN") && w.contains("exports/b.jsonl")
                && w.contains("cannot be read again")).hasSize((int) batchesReadingB);
        emitter.close();
        restarted.close();
    }

    @Test
    void anObjectOverwrittenMidReadIsReportedAndItsNewVersionReadAsANewObject() {
        Exports.Export first = put("hourly/10.jsonl", Exports.events("h10", 0, 12));
        Exports.Export after = put("hourly/11.jsonl", Exports.events("h11", 0, 4));
        ObjectStoreSettings settings = settings().withBatchLimits(3, 1 << 20, 100).withRangeBytes(64);
        ObjectStoreSpout.ObjectEmitter emitter = emitter(settings);
        ObjectsPartition partition = partition(settings, 0);

        Batch one = batch(emitter, partition, null);
        assertThat(one.lines()).containsExactlyElementsOf(first.lines().subList(0, 3));

        // A re-export: the same twelve events and two more.
        Exports.Export reexport = put("hourly/10.jsonl", Exports.events("h10", 0, 14));
        List<Batch> rest = readAll(emitter, partition, settings, one.meta());

        List<Exports.Line> truth = new ArrayList<>(first.lines().subList(0, 3));
        truth.addAll(reexport.lines());
        truth.addAll(after.lines());
        List<Exports.Line> all = new ArrayList<>(one.lines());
        all.addAll(allLines(rest));
        assertThat(all).containsExactlyElementsOf(truth);
        assertThat(emitter.changedMidRead.getValueAndReset()).isEqualTo(1L);
        assertThat(warnings).filteredOn(w -> w.startsWith("WARN") && w.contains("hourly/10.jsonl")
                && w.contains("was overwritten after")).hasSize(1);
        // The records the downstream de-duplication drops: the old version's, by messageId.
        long duplicates = all.stream().map(l -> l.payload().replaceAll(",\"event.*", "")).distinct().count();
        assertThat(all.size() - duplicates).isEqualTo(3);
        emitter.close();
    }

    @Test
    void anObjectDeletedMidReadIsReportedAndPassedOver() {
        Exports.Export first = put("hourly/20.gz", Exports.events("h20", 0, 30));
        Exports.Export after = put("hourly/21.gz", Exports.events("h21", 0, 4));
        ObjectStoreSettings settings = settings().withBatchLimits(3, 1 << 20, 100).withRangeBytes(32);
        ObjectStoreSpout.ObjectEmitter emitter = emitter(settings);
        ObjectsPartition partition = partition(settings, 0);
        Batch one = batch(emitter, partition, null);
        assertThat(one.lines()).containsExactlyElementsOf(first.lines().subList(0, 3));

        s3.deleteObject(r -> r.bucket(bucket).key("hourly/20.gz"));
        List<Batch> rest = readAll(emitter, partition, settings, one.meta());
        assertThat(allLines(rest)).containsExactlyElementsOf(after.lines());
        assertThat(emitter.deletedMidRead.getValueAndReset()).isEqualTo(1L);
        assertThat(warnings).filteredOn(w -> w.startsWith("WARN") && w.contains("hourly/20.gz")
                && w.contains("was deleted after")).hasSize(1);
        emitter.close();
    }

    @Test
    void aStoreThatStopsAnsweringStopsTheBatchWhereItIsAndReadingGoesOnWhenItIsBack(@TempDir Path own)
            throws Exception {
        S3ProxyServer store = S3ProxyServer.start(own);
        int port = store.port();
        ObjectStoreSettings settings = new ObjectStoreSettings(bucket, List.of(""), store.endpoint(), null, true, null,
                null, 7, 1 << 20, 100, 1 << 20, 64, 1, 2);
        List<Exports.Export> exports = new ArrayList<>();
        try (S3Client client = ObjectStoreClient.build(settings)) {
            client.createBucket(r -> r.bucket(bucket));
            for (String key : List.of("hourly/00.gz", "hourly/01.jsonl", "hourly/02.gz")) {
                Exports.Export export = Exports.events(key, 0, 5).build(bucket, key);
                client.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromBytes(export.stored()));
                exports.add(export);
            }
        }
        ObjectStoreSpout.ObjectEmitter emitter = emitter(settings);
        ObjectsPartition partition = partition(settings, 0);
        Batch one = batch(emitter, partition, null);
        assertThat(one.lines()).hasSize(7);

        store.close();
        Batch down = batch(emitter, partition, one.meta());
        assertThat(down.lines()).isEmpty();
        assertThat(down.meta().get(ObjectStoreSpout.READS)).isEqualTo(List.of());
        assertThat(down.meta().get(ObjectStoreSpout.CURRENT)).isEqualTo(one.meta().get(ObjectStoreSpout.CURRENT));
        assertThat(down.meta().get(ObjectStoreSpout.WATERMARK)).isEqualTo(one.meta().get(ObjectStoreSpout.WATERMARK));
        assertThat(warnings).filteredOn(w -> w.startsWith("WARN")).singleElement().asString()
                .startsWith("WARN Object store bucket '" + bucket + "' at http://127.0.0.1:" + port + " fails: reading"
                        + " s3 object hourly/01.jsonl")
                .contains("from byte " + ((Map<?, ?>) one.meta().get(ObjectStoreSpout.CURRENT)).get(ObjectStoreSpout.NEXT)
                        + " failed", "Connection refused", "nothing is skipped");

        store = S3ProxyServer.start(own, port);
        try {
            List<Exports.Line> all = new ArrayList<>(one.lines());
            all.addAll(allLines(readAll(emitter, partition, settings, down.meta())));
            assertThat(all).containsExactlyElementsOf(expected(exports.toArray(Exports.Export[]::new)));
            assertThat(warnings).anyMatch(w -> w.startsWith("INFO Object store bucket '" + bucket + "'")
                    && w.contains("answers again"));
        } finally {
            emitter.close();
            store.close();
        }
    }

    @Test
    void aBackfillReadsTheKeysOfItsRangeInEachPrefix() {
        List<Exports.Export> inRange = new ArrayList<>();
        for (String source : List.of("ios", "web")) {
            for (String hour : List.of("2026-11-30/23", "2026-12-01/00", "2026-12-01/05", "2026-12-02/00")) {
                Exports.Export export = put(source + "/" + hour + ".gz", Exports.events(source + hour, 0, 3));
                if (hour.startsWith("2026-12-01")) {
                    inRange.add(export);
                }
            }
        }
        ObjectStoreSettings settings = settings().withPrefixes(List.of("ios/", "web/"))
                .withKeyRange("2026-12-01", "2026-12-02");
        ObjectStoreSpout.ObjectEmitter emitter = emitter(settings);
        List<Exports.Line> ios = allLines(readAll(emitter, partition(settings, 0), settings, null));
        List<Exports.Line> web = allLines(readAll(emitter, partition(settings, 1), settings, null));
        assertThat(ios).containsExactlyElementsOf(expected(inRange.get(0), inRange.get(1)));
        assertThat(web).containsExactlyElementsOf(expected(inRange.get(2), inRange.get(3)));
        emitter.close();
    }

    @Test
    void aBatchStaysWithinItsBytesAndALineLongerThanABatchIsReadOnceFirst() {
        Exports content = new Exports().line("{\"messageId\":\"long\",\"pad\":\"" + "x".repeat(120) + "\"}");
        for (int i = 0; i < 12; i++) {
            content.line("{\"messageId\":\"m" + i + "\"}");
        }
        Exports.Export export = put("hourly/30.gz", content);
        ObjectStoreSettings settings = settings().withBatchLimits(1_000, 60, 100);
        ObjectStoreSpout.ObjectEmitter emitter = emitter(settings);
        List<Batch> batches = readAll(emitter, partition(settings, 0), settings, null);
        assertThat(allLines(batches)).containsExactlyElementsOf(export.lines());
        assertThat(batches.get(0).lines()).as("the long line alone, read though longer than a batch").hasSize(1);
        for (Batch batch : batches.subList(1, batches.size())) {
            Map<?, ?> read = (Map<?, ?>) ((List<?>) batch.meta().get(ObjectStoreSpout.READS)).get(0);
            assertThat(((Number) read.get(ObjectStoreSpout.END)).longValue()
                    - ((Number) read.get(ObjectStoreSpout.START)).longValue()).isLessThanOrEqualTo(60);
        }
        emitter.close();
    }
}

package io.tally.spouts.objectstore;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.spouts.MeteredSpout;
import io.tally.spouts.RecordChunk;
import io.tally.spouts.SpoutMetrics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.storm.Config;
import org.apache.storm.LocalCluster;
import org.apache.storm.task.IMetricsContext;
import org.apache.storm.topology.FailedException;
import org.apache.storm.trident.TridentTopology;
import org.apache.storm.trident.operation.TridentCollector;
import org.apache.storm.trident.state.BaseStateUpdater;
import org.apache.storm.trident.state.State;
import org.apache.storm.trident.state.StateFactory;
import org.apache.storm.trident.tuple.TridentTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The spout inside a real Trident topology (LocalCluster, its batch metadata in ZooKeeper) over the real S3 API
 * server: every record of the objects is committed exactly once, though one batch fails and is replayed.
 */
class TridentReadTest {
    /** The records each committed transaction wrote, by transaction id: a replayed one is written over, not added. */
    static final Map<Long, List<Exports.Line>> COMMITTED = new ConcurrentSkipListMap<>();
    static final AtomicBoolean FAILED_ONCE = new AtomicBoolean();

    @TempDir
    Path storage;

    @Test
    void everyRecordIsCommittedOnceThoughABatchIsReplayed() throws Exception {
        try (S3ProxyServer server = S3ProxyServer.start(storage)) {
            ObjectStoreSettings settings = ObjectStoreSettings.of("exports").withEndpoint(server.endpoint(), null)
                    .withBatchLimits(5, 1 << 20, 100).withRangeBytes(256).withScanIntervalMillis(100);
            List<Exports.Line> truth = new ArrayList<>();
            try (S3Client s3 = ObjectStoreClient.build(settings)) {
                s3.createBucket(r -> r.bucket("exports"));
                String[] keys = {"web/2026-12-05/00.gz", "web/2026-12-05/01.jsonl", "web/2026-12-05/02.gz"};
                for (int i = 0; i < keys.length; i++) {
                    Exports.Export export = Exports.events("h" + i, 0, 7 + 3 * i).build("exports", keys[i]);
                    String key = keys[i];
                    s3.putObject(r -> r.bucket("exports").key(key), RequestBody.fromBytes(export.stored()));
                    truth.addAll(export.lines());
                }
            }

            TridentTopology topology = new TridentTopology();
            topology.newStream("objects-it", new MeteredSpout("objects", new ObjectStoreSpout(settings)))
                    .partitionPersist(new Committed(), RecordChunk.FIELDS, new Collect());
            Config conf = new Config();
            conf.setMaxSpoutPending(1);
            conf.put(Config.TOPOLOGY_TRIDENT_BATCH_EMIT_INTERVAL_MILLIS, 50);
            RecordChunk.registerSerialization(conf);
            try (LocalCluster cluster = new LocalCluster()) {
                cluster.submitTopology("objects-it", conf, topology.build());
                long deadline = System.currentTimeMillis() + 90_000;
                while (committed().size() < truth.size() && System.currentTimeMillis() < deadline) {
                    Thread.sleep(100);
                }
                // Batches after the last object must add nothing.
                Thread.sleep(1_000);
                assertThat(FAILED_ONCE).isTrue();
                assertThat(SpoutMetrics.totals().replayedBatches()).as("the failed batch was re-emitted").isPositive();
                assertThat(committed()).containsExactlyElementsOf(truth);
            }
        }
    }

    static List<Exports.Line> committed() {
        List<Exports.Line> lines = new ArrayList<>();
        COMMITTED.values().forEach(lines::addAll);
        return lines;
    }

    /** Keeps each transaction's records at its commit. */
    static final class Committed implements StateFactory {
        @Override
        public State makeState(Map<String, Object> conf, IMetricsContext metrics, int partitionIndex,
                int numPartitions) {
            return new Records();
        }
    }

    static final class Records implements State {
        final List<Exports.Line> pending = new ArrayList<>();

        @Override
        public void beginCommit(Long txid) {
        }

        @Override
        public void commit(Long txid) {
            COMMITTED.put(txid, List.copyOf(pending));
            pending.clear();
        }
    }

    /** Takes the records out of their chunks; the second batch with records fails once, so Trident replays it. */
    static final class Collect extends BaseStateUpdater<Records> {
        private int batchesWithRecords;

        @Override
        public void updateState(Records state, List<TridentTuple> tuples, TridentCollector collector) {
            state.pending.clear();
            for (TridentTuple tuple : tuples) {
                RecordChunk chunk = (RecordChunk) tuple.getValue(0);
                for (int i = 0; i < chunk.size(); i++) {
                    state.pending.add(new Exports.Line(chunk.source(), chunk.position(i),
                            new String(chunk.payload(i), StandardCharsets.UTF_8)));
                }
            }
            if (!tuples.isEmpty() && ++batchesWithRecords == 2 && FAILED_ONCE.compareAndSet(false, true)) {
                state.pending.clear();
                throw new FailedException("failing one batch so that it is replayed");
            }
        }
    }
}

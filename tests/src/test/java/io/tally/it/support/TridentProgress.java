package io.tally.it.support;

import io.tally.topology.TallyTopology;
import io.tally.topology.config.TallyConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.storm.Config;
import org.apache.storm.kafka.spout.trident.KafkaTridentSpoutBatchMetadata;
import org.apache.storm.trident.topology.state.RotatingTransactionalState;
import org.apache.storm.trident.topology.state.TransactionalState;
import org.apache.storm.utils.Utils;

/**
 * How far the topology's Kafka stream has got, read from where Trident itself keeps it in ZooKeeper: before a batch
 * is processed the spout stores each partition's offsets for it, and the batch coordinator stores the next
 * transaction id to commit after every commit.
 */
public final class TridentProgress implements AutoCloseable {
    /** The key under which Storm's {@code MasterBatchCoordinator} stores the next txid to commit. */
    private static final String NEXT_TXID_TO_COMMIT = "currtx";

    private final TransactionalState spoutState;
    private final TransactionalState coordinatorState;

    /** @param transactionalConf where Trident keeps its state ({@code transactional.zookeeper.*}) */
    public TridentProgress(Map<String, Object> transactionalConf, TallyConfig config) {
        Map<String, Object> conf = new HashMap<>(Utils.readDefaultConfig());
        conf.putAll(transactionalConf);
        conf.put(Config.TRANSACTIONAL_ZOOKEEPER_ROOT, TallyTopology.transactionalRoot(config));
        this.spoutState = TransactionalState.newUserState(conf, TallyTopology.KAFKA_STREAM_ID);
        this.coordinatorState = TransactionalState.newCoordinatorState(conf, TallyTopology.KAFKA_STREAM_ID);
    }

    /**
     * Records the spout has pulled from Kafka over all partitions, in batches committed or not: the sum of each
     * partition's last batch's last offset, plus one.
     */
    @SuppressWarnings("unchecked")
    public long recordsRead() {
        long read = 0;
        for (String partition : spoutState.list("")) {
            Object last = new RotatingTransactionalState(spoutState, partition).getLastState();
            if (last != null) {
                read += KafkaTridentSpoutBatchMetadata.fromMap((Map<String, Object>) last).getLastOffset() + 1;
            }
        }
        return read;
    }

    /** The next transaction id to commit (1 before the first commit). */
    public long nextTxidToCommit() {
        Object txid = coordinatorState.getData(NEXT_TXID_TO_COMMIT);
        return txid == null ? 1 : ((Number) txid).longValue();
    }

    @Override
    public void close() {
        spoutState.close();
        coordinatorState.close();
    }
}

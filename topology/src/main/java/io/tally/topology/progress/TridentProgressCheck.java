package io.tally.topology.progress;

import com.datastax.oss.driver.api.core.CqlSession;
import io.tally.state.cassandra.CassandraSettings;
import io.tally.state.cassandra.SessionRegistry;
import io.tally.state.progress.ProgressLedger;
import io.tally.topology.TallyTopology;
import io.tally.topology.config.TallyConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.storm.Config;
import org.apache.storm.trident.topology.state.TransactionalState;
import org.apache.storm.utils.Utils;

/**
 * Before a topology is submitted: does Trident's state in ZooKeeper still hold the progress that Cassandra records
 * for it ({@link ProgressLedger})? The workers check the same before their first batch; this says so before anything
 * is submitted, and {@link #resume} is the deliberate way on after ZooKeeper lost the state.
 */
public final class TridentProgressCheck {
    /** Where Storm's {@code MasterBatchCoordinator} keeps the next batch to commit, per stream. */
    private static final String NEXT_TXID = "currtx";

    private final TallyConfig config;
    private final Map<String, Object> zookeeperConf;

    /** @param stormConf the Storm configuration that says where Trident's ZooKeeper is */
    public TridentProgressCheck(TallyConfig config, Map<String, Object> stormConf) {
        this.config = config;
        this.zookeeperConf = new HashMap<>(Utils.readDefaultConfig());
        zookeeperConf.putAll(stormConf);
        zookeeperConf.put(Config.TRANSACTIONAL_ZOOKEEPER_ROOT, TallyTopology.transactionalRoot(config));
    }

    /** Why the topology may not run as ZooKeeper and Cassandra stand; empty when it may. */
    public Optional<String> refusal() {
        return Optional.ofNullable(ProgressLedger.lostProgress(config.name(), config.cassandra().keyspace(),
                TallyTopology.transactionalRoot(config), nextTxid(), recorded().orElse(null)));
    }

    /**
     * Starts Trident's batches of every configured stream after the last batch Cassandra records, so that no state
     * takes a new batch for one it already stored. The sources' positions are not recovered: each is read again from
     * its first retained record, and the keyed stages drop what their window still remembers.
     *
     * @return the first batch the topology will run, or empty when nothing needed changing
     */
    public Optional<Long> resume() {
        Optional<ProgressLedger.Recorded> recorded = recorded();
        if (recorded.isEmpty() || recorded.get().txid() < nextTxid()) {
            return Optional.empty();
        }
        long next = recorded.get().txid() + 1;
        for (String stream : TallyTopology.streamIds(config)) {
            TransactionalState state = TransactionalState.newCoordinatorState(zookeeperConf, stream);
            try {
                state.setData(NEXT_TXID, next);
            } finally {
                state.close();
            }
        }
        return Optional.of(next);
    }

    /** The batch Trident would start at: the highest next txid of the configured streams (1 when none has one). */
    long nextTxid() {
        long next = 1;
        for (String stream : TallyTopology.streamIds(config)) {
            TransactionalState state = TransactionalState.newCoordinatorState(zookeeperConf, stream);
            try {
                Object stored = state.getData(NEXT_TXID);
                if (stored instanceof Number number) {
                    next = Math.max(next, number.longValue());
                }
            } finally {
                state.close();
            }
        }
        return next;
    }

    private Optional<ProgressLedger.Recorded> recorded() {
        CassandraSettings cassandra = config.cassandra();
        try (CqlSession session = SessionRegistry.builder(cassandra).build()) {
            return new ProgressLedger(session, cassandra.keyspace(), cassandra.readConsistency(),
                    cassandra.writeConsistency()).last(config.name());
        }
    }
}

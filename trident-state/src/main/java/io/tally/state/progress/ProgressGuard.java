package io.tally.state.progress;

import io.tally.state.cassandra.CassandraSettings;
import io.tally.state.cassandra.SessionRegistry;
import io.tally.state.forwarding.ForwardingFirstSeenState;
import io.tally.state.forwarding.ForwardingMapState;
import io.tally.state.keyed.FirstSeenState;
import java.io.Serializable;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.storm.Config;
import org.apache.storm.task.IMetricsContext;
import org.apache.storm.topology.FailedException;
import org.apache.storm.topology.ReportedFailedException;
import org.apache.storm.trident.state.State;
import org.apache.storm.trident.state.StateFactory;
import org.apache.storm.trident.state.map.MapState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps Trident's progress in ZooKeeper and the txids in Cassandra together. Trident numbers batches from its state in
 * ZooKeeper, and the txid-versioned states (opaque counts, keyed stages) compare each batch with the txids they
 * stored. If ZooKeeper loses that state (a new ZooKeeper, the topology's root deleted or restored from an older copy)
 * while Cassandra keeps its rows, batches are numbered from 1 again: rows holding later txids stop the topology,
 * keys with earlier ones are counted again, and the keyed stages forget every key they held.
 *
 * <p>So each wrapped state, before its first batch in a worker, compares that batch's txid with the highest txid the
 * topology recorded in {@link ProgressLedger#TABLE}, and refuses every batch (writing nothing, reporting why) when the
 * record is ahead; and its first partition records every batch it has committed. Trident begins a state's commit of
 * batch {@code T} only after every state committed {@code T-1} and ZooKeeper stored that, so a record never
 * legitimately exceeds the batch a restarted worker is given. (Recording after the state's own writes, not before,
 * keeps a slow Cassandra failing the state's requests, which the state's metrics report, rather than the record.)
 *
 * <p>Only states whose rows hold txids need this: rows written by idempotent row states are rewritten unchanged.
 */
public final class ProgressGuard implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ProgressGuard.class);

    private final CassandraSettings settings;
    private final String topology;
    private final String scope;
    private final Set<String> streams;

    /**
     * @param scope what the topology counts (recorded for operators: full, segments_only, counts_only)
     * @param streams the Trident stream ids it reads, under which ZooKeeper holds its progress
     */
    public ProgressGuard(CassandraSettings settings, String topology, String scope, Set<String> streams) {
        this.settings = Objects.requireNonNull(settings);
        this.topology = Objects.requireNonNull(topology);
        this.scope = Objects.requireNonNull(scope);
        this.streams = Set.copyOf(streams);
    }

    /** {@code factory}'s states, guarded; {@code state} names them in the ledger. */
    public StateFactory guard(String state, StateFactory factory) {
        return new Factory(stage(state), factory);
    }

    /**
     * The guard of a stage whose state holds several txid-versioned states and begins and commits them together (the
     * counts stage, one opaque map per count table): the stage calls its partition's {@link Check} once around them
     * all, so it is checked once and recorded once per batch, under {@code stage}, rather than once per table.
     */
    public Stage stage(String stage) {
        return new Stage(this, stage);
    }

    /** A guarded stage, named in the ledger; makes each of its partitions' {@link Check}. */
    public record Stage(ProgressGuard guard, String name) implements Serializable {
        public Stage {
            Objects.requireNonNull(guard);
            Objects.requireNonNull(name);
        }

        /** The check of partition {@code partitionIndex}, in a worker whose topology configuration is {@code conf}. */
        public Check check(Map<String, Object> conf, int partitionIndex) {
            Object root = conf == null ? null : conf.get(Config.TRANSACTIONAL_ZOOKEEPER_ROOT);
            return new Check(guard, name, partitionIndex == 0, String.valueOf(root));
        }
    }

    private record Factory(Stage stage, StateFactory delegate) implements StateFactory {
        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public State makeState(Map<String, Object> conf, IMetricsContext metrics, int partitionIndex,
                int numPartitions) {
            State made = delegate.makeState(conf, metrics, partitionIndex, numPartitions);
            Check check = stage.check(conf, partitionIndex);
            String state = stage.name();
            if (made instanceof FirstSeenState keys) {
                return new ForwardingFirstSeenState(keys, new Around(keys, check)) { };
            }
            if (made instanceof MapState map) {
                return new ForwardingMapState<>(map, new Around(map, check)) { };
            }
            throw new IllegalArgumentException("state " + state + " is neither a map state nor a keyed state: "
                    + made.getClass().getName());
        }
    }

    /**
     * One state partition's check and record: {@link #beginCommit} before the state begins a batch, {@link #committed}
     * after it committed it.
     */
    public static final class Check {
        private final ProgressGuard guard;
        private final String state;
        private final boolean records;
        private final String zookeeperRoot;
        private ProgressLedger ledger;
        private boolean checked;
        private String refusal;

        Check(ProgressGuard guard, String state, boolean records, String zookeeperRoot) {
            this.guard = guard;
            this.state = state;
            this.records = records;
            this.zookeeperRoot = zookeeperRoot;
        }

        /** Before the state begins a batch: refuses it when Cassandra records later batches than this one. */
        public void beginCommit(Long txid) {
            if (refusal != null) {
                throw new ReportedFailedException(refusal);
            }
            if (txid == null || checked) {
                return;
            }
            refusal = ledgerCall("reading", () -> ProgressLedger.lostProgress(guard.topology,
                    guard.settings.keyspace(), zookeeperRoot, txid, ledger().last(guard.topology).orElse(null)));
            if (refusal != null) {
                LOG.error("{} (state {})", refusal, state);
                throw new ReportedFailedException(refusal);
            }
            checked = true;
        }

        /** After the state committed a batch: its first partition records it. */
        public void committed(Long txid) {
            if (txid != null && records) {
                ledgerCall("recording", () -> {
                    ledger().committed(guard.topology, guard.scope, guard.streams, state, txid);
                    return null;
                });
            }
        }

        private ProgressLedger ledger() throws Exception {
            if (ledger == null) {
                CassandraSettings settings = guard.settings;
                ledger = new ProgressLedger(SessionRegistry.connected(settings), settings.keyspace(),
                        settings.readConsistency(), settings.writeConsistency());
            }
            return ledger;
        }

        private <T> T ledgerCall(String what, java.util.concurrent.Callable<T> call) {
            try {
                return call.call();
            } catch (Exception e) {
                throw new FailedException(what + " the progress of " + state + " in " + guard.settings.keyspace()
                        + "." + ProgressLedger.TABLE + " failed: " + e, e);
            }
        }
    }

    /** The delegate's begin and commit with the check around them, for a wrapper of any kind of state. */
    private record Around(State delegate, Check check) implements State {
        @Override
        public void beginCommit(Long txid) {
            check.beginCommit(txid);
            delegate.beginCommit(txid);
        }

        @Override
        public void commit(Long txid) {
            delegate.commit(txid);
            check.committed(txid);
        }
    }
}

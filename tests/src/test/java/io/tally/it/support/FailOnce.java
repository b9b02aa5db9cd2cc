package io.tally.it.support;

import io.tally.state.forwarding.ForwardingFirstSeenState;
import io.tally.state.forwarding.ForwardingMapState;
import io.tally.state.keyed.FirstSeenState;
import io.tally.topology.StateWrapper;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.storm.task.IMetricsContext;
import org.apache.storm.topology.FailedException;
import org.apache.storm.trident.state.State;
import org.apache.storm.trident.state.StateFactory;
import org.apache.storm.trident.state.ValueUpdater;
import org.apache.storm.trident.state.map.MapState;

/**
 * Forces Trident replays: the named tables' states fail one batch each, <em>after</em> its writes reached Cassandra,
 * the worst moment (the batch's effects are stored, yet it will be replayed). Counters are static because
 * LocalCluster runs the topology in this JVM.
 */
public final class FailOnce implements StateWrapper {
    private static final long serialVersionUID = 1L;
    private static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();
    private static final Map<String, AtomicInteger> FAILURES = new ConcurrentHashMap<>();

    private final Set<String> tables;
    private final int failOnCall;

    /** Fails the {@code failOnCall}-th batch update of each named table, once. */
    public FailOnce(Set<String> tables, int failOnCall) {
        this.tables = Set.copyOf(tables);
        this.failOnCall = failOnCall;
        tables.forEach(t -> {
            CALLS.put(t, new AtomicInteger());
            FAILURES.put(t, new AtomicInteger());
        });
    }

    /** How many batches were failed on purpose for this table. */
    public static int failures(String table) {
        return FAILURES.getOrDefault(table, new AtomicInteger()).get();
    }

    @Override
    public StateFactory wrap(String table, StateFactory factory) {
        return tables.contains(table) ? new Factory(table, factory, failOnCall) : factory;
    }

    private static void afterWrite(String table, int failOnCall) {
        if (CALLS.get(table).incrementAndGet() == failOnCall) {
            FAILURES.get(table).incrementAndGet();
            throw new FailedException("injected failure after writing " + table + " (test)");
        }
    }

    private record Factory(String table, StateFactory delegate, int failOnCall) implements StateFactory {
        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public State makeState(Map<String, Object> conf, IMetricsContext metrics, int partitionIndex, int numPartitions) {
            State state = delegate.makeState(conf, metrics, partitionIndex, numPartitions);
            if (state instanceof FirstSeenState keys) {
                return new Keys(table, keys, failOnCall);
            }
            return new Maps<>(table, (MapState) state, failOnCall);
        }
    }

    /** Fails after the batch's changelog row is written: the keys are logged, yet the batch will be replayed. */
    private static final class Keys extends ForwardingFirstSeenState {
        private final String table;
        private final int failOnCall;

        Keys(String table, FirstSeenState delegate, int failOnCall) {
            super(delegate);
            this.table = table;
            this.failOnCall = failOnCall;
        }

        @Override
        public void commit(Long txid) {
            super.commit(txid);
            afterWrite(table, failOnCall);
        }
    }

    /** Fails after the batch's update reached Cassandra (an opaque map writes in multiUpdate, not at commit). */
    private static final class Maps<T> extends ForwardingMapState<T> {
        private final String table;
        private final int failOnCall;

        Maps(String table, MapState<T> delegate, int failOnCall) {
            super(delegate);
            this.table = table;
            this.failOnCall = failOnCall;
        }

        @Override
        @SuppressWarnings("rawtypes")
        public List<T> multiUpdate(List<List<Object>> keys, List<ValueUpdater> updaters) {
            List<T> result = super.multiUpdate(keys, updaters);
            afterWrite(table, failOnCall);
            return result;
        }
    }
}

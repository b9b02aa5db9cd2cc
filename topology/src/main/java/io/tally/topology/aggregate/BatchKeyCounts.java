package io.tally.topology.aggregate;

import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.storm.trident.operation.Aggregator;
import org.apache.storm.trident.operation.BaseFunction;
import org.apache.storm.trident.operation.TridentCollector;
import org.apache.storm.trident.operation.TridentOperationContext;
import org.apache.storm.trident.tuple.TridentTuple;
import org.apache.storm.tuple.Values;

/**
 * Counts, within one batch and partition, the keys a {@code keys} function emits for each tuple, and emits each
 * distinct key once with its count. The same partial counts Trident's {@code groupBy(..).persistentAggregate(Count)}
 * makes before it repartitions, but without a grouped tuple and an aggregator call per key: each tuple costs one call
 * and a hash-map increment per key, which matters when every event brings keys to five tables.
 *
 * <p>With a {@link RollUp}, every key also counts towards the key it rolls up to (an event's name and hour towards
 * all events' hour). Rolled up when the batch completes, from the distinct keys: counting keys took a sixth of the
 * ingest task's time in counts only, and a key every tuple also counts towards was half of that.
 */
public final class BatchKeyCounts implements Aggregator<Map<List<Object>, long[]>> {
    private static final long serialVersionUID = 1L;

    /** The key a counted key also counts towards. */
    @FunctionalInterface
    public interface RollUp extends Serializable {
        List<Object> of(List<Object> key);
    }

    private final BaseFunction keys;
    private final RollUp rollUp;
    private transient KeyTally tally;

    /** @param keys emits the key values (the group-by fields) of a tuple, any number of times */
    public BatchKeyCounts(BaseFunction keys) {
        this(keys, null);
    }

    /**
     * @param keys emits the key values (the group-by fields) of a tuple, any number of times
     * @param rollUp where each key's count also goes; null for none
     */
    public BatchKeyCounts(BaseFunction keys, RollUp rollUp) {
        this.keys = keys;
        this.rollUp = rollUp;
    }

    @Override
    public void prepare(Map<String, Object> conf, TridentOperationContext context) {
        keys.prepare(conf, context);
        tally = new KeyTally();
    }

    @Override
    public Map<List<Object>, long[]> init(Object batchId, TridentCollector collector) {
        return new HashMap<>();
    }

    @Override
    public void aggregate(Map<List<Object>, long[]> counts, TridentTuple tuple, TridentCollector collector) {
        tally.counts = counts;
        tally.errors = collector;
        keys.execute(tuple, tally);
    }

    @Override
    public void complete(Map<List<Object>, long[]> counts, TridentCollector collector) {
        if (rollUp != null) {
            Map<List<Object>, long[]> rolledUp = new HashMap<>();
            counts.forEach((key, count) -> rolledUp.computeIfAbsent(rollUp.of(key), k -> new long[1])[0] += count[0]);
            // A rolled-up key may also be a counted one; it is emitted once, with both counts.
            rolledUp.forEach((key, count) -> counts.computeIfAbsent(key, k -> new long[1])[0] += count[0]);
        }
        counts.forEach((key, count) -> {
            Values values = new Values(key.toArray());
            values.add(count[0]);
            collector.emit(values);
        });
    }

    @Override
    public void cleanup() {
        keys.cleanup();
    }

    /** Receives the keys function's output: each emitted key adds one to its count. */
    private static final class KeyTally implements TridentCollector {
        private Map<List<Object>, long[]> counts;
        private TridentCollector errors;

        @Override
        public void emit(List<Object> key) {
            long[] count = counts.get(key);
            if (count == null) {
                counts.put(key, new long[] {1});
            } else {
                count[0]++;
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void reportError(Throwable t) {
            errors.reportError(t);
        }
    }
}

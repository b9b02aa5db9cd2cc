package io.tally.state.cassandra;

import io.tally.state.cassandra.internal.StateMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.storm.metric.api.CountMetric;
import org.apache.storm.trident.operation.TridentCollector;
import org.apache.storm.trident.operation.TridentOperationContext;
import org.apache.storm.trident.state.BaseStateUpdater;
import org.apache.storm.trident.tuple.TridentTuple;

/**
 * Passes on the tuples whose record is the one that counts for its key (see {@link FirstClaimState}) and drops the
 * rest. Input fields: the key's {@code keyFields} fields, then the record's {@code source} and {@code position},
 * then anything else to carry along; the tuples passed on have the same values.
 *
 * <p>With a metric name, the tuples dropped are counted as a Storm metric. The count is of decisions, so a replayed
 * batch counts its drops again (compare with {@code tally.spout.*.replayed_batches}).
 */
public final class FirstClaimUpdater extends BaseStateUpdater<FirstClaimState> {
    private static final long serialVersionUID = 1L;

    private final int keyFields;
    private final String droppedMetric;
    private transient CountMetric dropped;

    public FirstClaimUpdater(int keyFields) {
        this(keyFields, null);
    }

    /** @param droppedMetric the Storm metric counting the tuples dropped, e.g. {@code tally.dedup.duplicates_dropped} */
    public FirstClaimUpdater(int keyFields, String droppedMetric) {
        if (keyFields < 1) {
            throw new IllegalArgumentException("a claim needs at least one key field");
        }
        this.keyFields = keyFields;
        this.droppedMetric = droppedMetric;
    }

    @Override
    public void prepare(Map<String, Object> conf, TridentOperationContext context) {
        dropped = new CountMetric();
        if (droppedMetric != null) {
            context.registerMetric(droppedMetric, dropped, StateMetrics.bucketSeconds(conf));
        }
    }

    @Override
    public void updateState(FirstClaimState state, List<TridentTuple> tuples, TridentCollector collector) {
        List<FirstClaimState.Claim> claims = new ArrayList<>(tuples.size());
        for (TridentTuple tuple : tuples) {
            List<Object> key = new ArrayList<>(keyFields);
            for (int i = 0; i < keyFields; i++) {
                key.add(tuple.getValue(i));
            }
            claims.add(new FirstClaimState.Claim(key, tuple.getString(keyFields), tuple.getLong(keyFields + 1)));
        }
        List<Boolean> counts = state.claim(claims);
        for (int i = 0; i < tuples.size(); i++) {
            if (counts.get(i)) {
                collector.emit(tuples.get(i).getValues());
            } else {
                dropped.incr();
            }
        }
    }
}

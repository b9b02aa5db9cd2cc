package io.tally.topology.keyed;

import io.tally.bolts.event.Event;
import io.tally.state.cassandra.CassandraStateMetrics;
import io.tally.state.keyed.FirstSeenState;
import io.tally.state.keyed.KeyRouting;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.apache.storm.metric.api.CountMetric;
import org.apache.storm.trident.operation.TridentCollector;
import org.apache.storm.trident.operation.TridentOperationContext;
import org.apache.storm.trident.state.BaseStateUpdater;
import org.apache.storm.trident.tuple.TridentTuple;

/**
 * The de-duplication stage: passes on the events whose {@linkplain MessageKeys key} this partition sees for the first
 * time within the window, and drops the rest (a producer's retry carries the messageId of the original). The events it
 * passes on are routed again, by user, to the {@linkplain PerUserPass per-user stage}: every partition of it is sent a
 * run in every batch, as {@link RouteEvents} does.
 *
 * <p>Input and output: {@link RouteEvents#OUTPUT_FIELDS}.
 */
public final class Deduplicate extends BaseStateUpdater<FirstSeenState> {
    private static final long serialVersionUID = 1L;

    /** Storm metric: records dropped because an earlier record had their {@code messageId}. */
    public static final String DUPLICATES_DROPPED_METRIC = "tally.dedup.duplicates_dropped";

    private static final LongAdder DROPPED_IN_JVM = new LongAdder();

    private final int userPartitions;
    private final KeyRouting routing;
    private transient CountMetric dropped;

    /**
     * Duplicates every task of this JVM has dropped since it started, replays included: for the local runner. On
     * a cluster read the {@value #DUPLICATES_DROPPED_METRIC} metric instead.
     */
    public static long droppedInThisJvm() {
        return DROPPED_IN_JVM.sum();
    }

    /** @param userPartitions the per-user stage's parallelism */
    public Deduplicate(int userPartitions, KeyRouting routing) {
        this.userPartitions = userPartitions;
        this.routing = routing;
    }

    @Override
    public void prepare(Map<String, Object> conf, TridentOperationContext context) {
        // Counts decisions: a replayed batch counts its drops again (compare tally.spout.*.replayed_batches).
        dropped = context.registerMetric(DUPLICATES_DROPPED_METRIC, new CountMetric(),
                CassandraStateMetrics.bucketSeconds(conf));
    }

    @Override
    public void updateState(FirstSeenState state, List<TridentTuple> tuples, TridentCollector collector) {
        int attempt = tuples.get(0).getInteger(1);
        RouteEvents.Runs byUser = new RouteEvents.Runs(attempt, userPartitions);
        state.attempt(attempt);
        for (TridentTuple tuple : tuples) {
            EventRun run = (EventRun) tuple.getValue(2);
            for (int i = 0; i < run.size(); i++) {
                Event event = run.event(i);
                String key = MessageKeys.of(event, run.source(i), run.position(i));
                if (state.firstSeen(key, routing.route(key))) {
                    byUser.add(KeyRouting.partition(routing.route(event.userKey()), userPartitions), event,
                            run.source(i), run.position(i));
                } else {
                    dropped.incr();
                    DROPPED_IN_JVM.increment();
                }
            }
        }
        byUser.emit(collector);
    }
}

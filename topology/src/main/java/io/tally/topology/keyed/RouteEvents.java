package io.tally.topology.keyed;

import io.tally.bolts.event.Event;
import io.tally.state.keyed.KeyRouting;
import java.util.Map;
import org.apache.storm.trident.operation.Aggregator;
import org.apache.storm.trident.operation.TridentCollector;
import org.apache.storm.trident.operation.TridentOperationContext;
import org.apache.storm.trident.topology.TransactionAttempt;
import org.apache.storm.trident.tuple.TridentTuple;
import org.apache.storm.tuple.Fields;
import org.apache.storm.tuple.Values;

/**
 * Gathers a batch's accepted events, per upstream task, into one {@link EventRun} per partition of the de-duplication
 * stage (by {@link MessageKeys#of messageId}), and emits {@link #OUTPUT_FIELDS} for every partition, an empty run
 * where it has no events: every partition then sees every batch (see {@link io.tally.state.keyed.FirstSeenState}).
 *
 * <p>Input: the accepted event, its record's source and position.
 */
public final class RouteEvents implements Aggregator<RouteEvents.Runs> {
    private static final long serialVersionUID = 1L;

    /** A keyed stage's input: the partition, Trident's attempt number of the batch, and the events. */
    public static final Fields OUTPUT_FIELDS = new Fields("partition", "attempt", "run");

    private final int partitions;
    private final KeyRouting routing;

    public RouteEvents(int partitions, KeyRouting routing) {
        this.partitions = partitions;
        this.routing = routing;
    }

    /** One batch's runs. */
    public static final class Runs {
        private final int attempt;
        private final EventRun[] byPartition;

        Runs(int attempt, int partitions) {
            this.attempt = attempt;
            this.byPartition = new EventRun[partitions];
        }

        void add(int partition, Event event, String source, long position) {
            EventRun run = byPartition[partition];
            if (run == null) {
                run = new EventRun();
                byPartition[partition] = run;
            }
            run.add(event, source, position);
        }

        /** Emits every partition's run, an empty one where none was added. */
        void emit(TridentCollector collector) {
            for (int partition = 0; partition < byPartition.length; partition++) {
                EventRun run = byPartition[partition];
                collector.emit(new Values(new PartitionTarget(partition), attempt, run == null ? new EventRun() : run));
            }
        }
    }

    /** Trident's attempt number of a batch: the keyed states log it (see {@code FirstSeenState}). */
    private static int attemptOf(Object batchId) {
        if (batchId instanceof TransactionAttempt attempt) {
            return attempt.getAttemptId();
        }
        throw new IllegalStateException("a keyed stage needs a transactional stream, not a batch " + batchId);
    }

    @Override
    public void prepare(Map<String, Object> conf, TridentOperationContext context) {
    }

    @Override
    public Runs init(Object batchId, TridentCollector collector) {
        return new Runs(attemptOf(batchId), partitions);
    }

    @Override
    public void aggregate(Runs runs, TridentTuple tuple, TridentCollector collector) {
        Event event = (Event) tuple.getValue(0);
        String source = tuple.getString(1);
        long position = tuple.getLong(2);
        String key = MessageKeys.of(event, source, position);
        runs.add(KeyRouting.partition(routing.route(key), partitions), event, source, position);
    }

    @Override
    public void complete(Runs runs, TridentCollector collector) {
        runs.emit(collector);
    }

    @Override
    public void cleanup() {
    }
}

package io.tally.topology.aggregate;

import io.tally.bolts.ingest.Rejection;
import org.apache.storm.trident.operation.BaseFunction;
import org.apache.storm.trident.operation.TridentCollector;
import org.apache.storm.trident.tuple.TridentTuple;
import org.apache.storm.tuple.Fields;
import org.apache.storm.tuple.Values;

/** The hourly count key of a rejected record: its reason code and the UTC hour it was received. */
public final class RejectionHour extends BaseFunction {
    private static final long serialVersionUID = 1L;

    public static final Fields OUTPUT_FIELDS = new Fields("reason", "hour");

    @Override
    public void execute(TridentTuple tuple, TridentCollector collector) {
        Rejection rejection = (Rejection) tuple.getValue(0);
        collector.emit(new Values(rejection.reason().code(), UtcBucket.HOUR.start(rejection.receivedAtMillis())));
    }
}

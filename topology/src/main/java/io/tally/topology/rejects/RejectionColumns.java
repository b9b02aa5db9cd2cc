package io.tally.topology.rejects;

import io.tally.bolts.ingest.Rejection;
import io.tally.state.cassandra.RowBinder;
import io.tally.state.schema.TallyTables;
import io.tally.topology.aggregate.UtcBucket;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.storm.trident.tuple.TridentTuple;

/** A rejection as a row of {@code rejected_events}, in {@link TallyTables#REJECTED_EVENTS_COLUMNS} order. */
public final class RejectionColumns implements RowBinder {
    private static final long serialVersionUID = 1L;

    @Override
    public List<Object> values(TridentTuple tuple) {
        Rejection r = (Rejection) tuple.getValue(0);
        return Arrays.asList(r.reason().code(), Instant.ofEpochMilli(UtcBucket.HOUR.start(r.receivedAtMillis())),
                r.source(), r.position(), Instant.ofEpochMilli(r.receivedAtMillis()), r.detail(), r.payload(),
                r.truncated());
    }
}

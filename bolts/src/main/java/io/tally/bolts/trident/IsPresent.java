package io.tally.bolts.trident;

import org.apache.storm.trident.operation.BaseFilter;
import org.apache.storm.trident.tuple.TridentTuple;

/**
 * Keeps tuples whose selected field is not null. Applied to {@link IngestRecords#EVENT} it keeps accepted
 * events; applied to {@link IngestRecords#REJECTION}, rejections.
 */
public final class IsPresent extends BaseFilter {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean isKeep(TridentTuple tuple) {
        return tuple.getValue(0) != null;
    }
}

package io.tally.topology.aggregate;

import org.apache.storm.trident.operation.CombinerAggregator;
import org.apache.storm.trident.tuple.TridentTuple;

/**
 * Sums a {@code long} field. Storm's {@code Sum} returns an {@code Integer} zero and may widen to
 * {@code BigDecimal}; the count tables store {@code bigint}, so this stays a {@code Long} throughout.
 */
public final class LongSum implements CombinerAggregator<Long> {
    private static final long serialVersionUID = 1L;

    @Override
    public Long init(TridentTuple tuple) {
        return tuple.getLong(0);
    }

    @Override
    public Long combine(Long a, Long b) {
        return a + b;
    }

    @Override
    public Long zero() {
        return 0L;
    }
}

package io.tally.query;

import io.tally.state.schema.StepTimeBuckets;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.SortedMap;

/**
 * Quantiles of the times in {@code funnel_step_times_by_day}, with DDSketch's semantics: the q-quantile of n times is
 * the value of the bucket holding the time of rank {@code floor(q × (n - 1))} (counting from 0 in ascending order), so
 * it is within {@link StepTimeBuckets#RELATIVE_ACCURACY} of that exact time. For an even count the median is thus the
 * lower of the two middle times, not their mean.
 */
public final class BucketQuantiles {
    private BucketQuantiles() {
    }

    /**
     * The {@code quantile} (0 to 1) of the times counted in {@code buckets} (bucket → users, ascending buckets are
     * ascending times), in milliseconds; empty when no time is counted.
     */
    public static OptionalDouble millis(SortedMap<Integer, Long> buckets, double quantile) {
        if (!(quantile >= 0 && quantile <= 1)) {
            throw new IllegalArgumentException("a quantile is between 0 and 1, not " + quantile);
        }
        long count = buckets.values().stream().mapToLong(Long::longValue).sum();
        if (count <= 0) {
            return OptionalDouble.empty();
        }
        double rank = quantile * (count - 1);
        long cumulative = 0;
        for (Map.Entry<Integer, Long> bucket : buckets.entrySet()) {
            cumulative += bucket.getValue();
            if (cumulative > rank) {
                return OptionalDouble.of(StepTimeBuckets.value(bucket.getKey()));
            }
        }
        throw new IllegalStateException("unreachable: the counts sum to " + count);
    }
}

package io.tally.state.schema;

import com.datadoghq.sketch.ddsketch.mapping.IndexMapping;
import com.datadoghq.sketch.ddsketch.mapping.LogarithmicMapping;

/**
 * The buckets of {@link TallyTables#FUNNEL_STEP_TIMES_BY_DAY}: DDSketch's logarithmic index mapping with a relative
 * accuracy of {@value #RELATIVE_ACCURACY}, so a bucket's {@link #value} is within 2% of every time in it, and a
 * quantile read from the bucket counts is within 2% of the exact one. A bucket is a plain count, so the tables' exactly
 * once differences apply to it as to any count; the mapping must never change while a table holds rows, or old and new
 * rows would name different ranges.
 */
public final class StepTimeBuckets {
    /** The relative accuracy of every bucket's value (and so of the median and p90 read from them). */
    public static final double RELATIVE_ACCURACY = 0.02;

    /**
     * The bucket of 0 ms (steps done in the same millisecond): a logarithmic mapping has no bucket for 0, and 1 ms is
     * bucket 0, so -1 is free.
     */
    public static final int ZERO_BUCKET = -1;

    private static final IndexMapping MAPPING = new LogarithmicMapping(RELATIVE_ACCURACY);

    private StepTimeBuckets() {
    }

    /** The bucket of a time between two steps. */
    public static int bucket(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("a time between funnel steps cannot be negative: " + millis + " ms");
        }
        return millis == 0 ? ZERO_BUCKET : MAPPING.index(millis);
    }

    /** The time a bucket stands for, in milliseconds: within the relative accuracy of every time in it. */
    public static double value(int bucket) {
        return bucket == ZERO_BUCKET ? 0 : MAPPING.value(bucket);
    }
}

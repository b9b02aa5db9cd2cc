package io.tally.topology.aggregate;

/** The time buckets counts are kept in, as UTC epoch milliseconds of the bucket's start (also before 1970). */
public enum UtcBucket {
    MINUTE(60_000L),
    HOUR(3_600_000L),
    DAY(86_400_000L);

    private final long millis;

    UtcBucket(long millis) {
        this.millis = millis;
    }

    public long start(long epochMillis) {
        return Math.floorDiv(epochMillis, millis) * millis;
    }

    /** The number of the bucket holding {@code epochMillis}, counted from the epoch (for {@link #DAY}, the epoch day). */
    public long index(long epochMillis) {
        return Math.floorDiv(epochMillis, millis);
    }

    /** The start of the bucket numbered {@code index}, epoch milliseconds. */
    public long startOfIndex(long index) {
        return index * millis;
    }
}

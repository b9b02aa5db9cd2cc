package io.tally.topology.aggregate;

/** Hour buckets: every count in Tally is kept per UTC hour. */
public final class UtcHours {
    private static final long HOUR_MILLIS = 3_600_000L;

    private UtcHours() {
    }

    /** The start of the UTC hour holding {@code epochMillis} (also for times before 1970). */
    public static long start(long epochMillis) {
        return Math.floorDiv(epochMillis, HOUR_MILLIS) * HOUR_MILLIS;
    }
}

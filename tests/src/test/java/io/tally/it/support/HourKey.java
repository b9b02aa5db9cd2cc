package io.tally.it.support;

/** One row of the hourly counts: an event name and the start of a UTC hour in epoch milliseconds. */
public record HourKey(String event, long hourStartMillis) {
    private static final long HOUR = 3_600_000L;

    public static HourKey of(String event, long eventTimeMillis) {
        return new HourKey(event, Math.floorDiv(eventTimeMillis, HOUR) * HOUR);
    }
}

package io.tally.state.journey;

import java.util.Arrays;

/**
 * One user's progress in one retention definition: the value of the {@code user_journeys} map state (beside funnels),
 * updated once per batch with the batch's start and return events.
 *
 * <h2>What is counted</h2>
 * The user's <em>cohort</em> is the UTC day of their earliest start event. They <em>returned on day k</em> (k ≥ 1) when
 * a return event falls on the k-th UTC day after the cohort day, and <em>in week k</em> when one falls on days
 * {@code 7k .. 7k+6}. "Returned in k or later" (unbounded retention) holds when their latest return is on day (week)
 * k or later. All of it is a function of the set of events, not of the order they arrive in; a user has one cohort.
 *
 * <h2>Exactly once</h2>
 * As for funnels (see {@link FunnelProgress}): the per-user stage emits the difference between the user's rows from
 * this value before the batch and after it, so replays and late events (a late start moves the cohort earlier) leave
 * the tables equal to what the events say.
 *
 * <h2>Bounded memory</h2>
 * Kept: the cohort start, the latest return day, and the return days that can still count: those within the periods
 * after the cohort day ({@code spanDays}), and those since the horizon behind the newest event (a late start event
 * could still begin a cohort before them) that are not beyond the periods. So at most {@code spanDays} + horizon days
 * of distinct return days (one long each), whatever the number of events.
 */
public final class RetentionProgress implements JourneyState {
    static final long DAY_MILLIS = 86_400_000L;
    /** No cohort yet. */
    public static final long NONE = Long.MIN_VALUE;

    private final long newestMillis;
    private final long startMillis;
    private final long latestReturnDay;
    private final long[] returnDays;

    RetentionProgress(long newestMillis, long startMillis, long latestReturnDay, long[] returnDays) {
        this.newestMillis = newestMillis;
        this.startMillis = startMillis;
        this.latestReturnDay = latestReturnDay;
        this.returnDays = returnDays;
    }

    public long newestMillis() {
        return newestMillis;
    }

    /** The earliest start event's time, {@link #NONE} before the user started. */
    public long startMillis() {
        return startMillis;
    }

    /** The UTC epoch day of the latest return event, {@link #NONE} without one. */
    public long latestReturnDay() {
        return latestReturnDay;
    }

    /** The kept return days (UTC epoch days), ascending. */
    public long[] returnDays() {
        return returnDays.clone();
    }

    long[] returnDaysInternal() {
        return returnDays;
    }

    /**
     * The progress after a batch.
     *
     * @param batchTimes the batch's event times that start or return
     * @param batchKinds per time: bit 1 a start event, bit 2 a return event
     * @param spanDays how many days after the cohort day any period reaches
     * @param horizonMillis how much older than the newest event an event may still arrive
     */
    public static RetentionProgress advance(RetentionProgress before, long[] batchTimes, int[] batchKinds,
            int spanDays, long horizonMillis) {
        long newest = before == null ? Long.MIN_VALUE : before.newestMillis;
        long start = before == null ? NONE : before.startMillis;
        long latest = before == null ? NONE : before.latestReturnDay;
        long[] days = before == null ? new long[0] : before.returnDays;
        long[] added = new long[batchTimes.length];
        int addedCount = 0;
        for (int i = 0; i < batchTimes.length; i++) {
            newest = Math.max(newest, batchTimes[i]);
            if ((batchKinds[i] & 1) != 0 && (start == NONE || batchTimes[i] < start)) {
                start = batchTimes[i];
            }
            if ((batchKinds[i] & 2) != 0) {
                long day = Math.floorDiv(batchTimes[i], DAY_MILLIS);
                latest = Math.max(latest, day);
                added[addedCount++] = day;
            }
        }
        long[] all = Arrays.copyOf(days, days.length + addedCount);
        System.arraycopy(added, 0, all, days.length, addedCount);
        Arrays.sort(all);
        long floorDay = Math.floorDiv(newest - horizonMillis, DAY_MILLIS);
        boolean started = start != NONE;
        long cohort = started ? Math.floorDiv(start, DAY_MILLIS) : 0;
        long[] kept = new long[all.length];
        int count = 0;
        for (int i = 0; i < all.length; i++) {
            long day = all[i];
            if (i > 0 && all[i - 1] == day) {
                continue;
            }
            boolean inPeriods = started && day > cohort && day <= cohort + spanDays;
            boolean mayStillCount = day >= floorDay && (!started || day <= cohort + spanDays);
            if (inPeriods || mayStillCount) {
                kept[count++] = day;
            }
        }
        return new RetentionProgress(newest, start, latest, Arrays.copyOf(kept, count));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RetentionProgress that && newestMillis == that.newestMillis
                && startMillis == that.startMillis && latestReturnDay == that.latestReturnDay
                && Arrays.equals(returnDays, that.returnDays);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(startMillis) * 31 + Arrays.hashCode(returnDays);
    }

    @Override
    public String toString() {
        return "RetentionProgress[newest=" + newestMillis + ", start=" + startMillis + ", latestReturnDay="
                + latestReturnDay + ", returnDays=" + Arrays.toString(returnDays) + "]";
    }
}

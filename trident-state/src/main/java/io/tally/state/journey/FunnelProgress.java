package io.tally.state.journey;

import java.util.Arrays;

/**
 * One user's progress through one funnel: the value of the {@code user_journeys} map state, updated once per batch
 * with the batch's events that match any of the funnel's steps.
 *
 * <h2>What a user's progress is</h2>
 * The user <em>enters</em> the funnel at their earliest event matching step 1 (time {@code t1}); the entry cohort is
 * the UTC day of {@code t1}. The user <em>reaches</em> step k when there are events matching steps 2..k at strictly
 * increasing times after {@code t1}, the last no later than {@code t1 + window}. Taking, step after step, the earliest
 * matching event after the previous step's (the {@linkplain #chain() chain}) reaches the furthest step there is, and
 * its times give the time between steps. All of this is a function of the <em>set</em> of the user's events, never of
 * the order they arrived in; a user enters once, ever.
 *
 * <h2>Exactly once, late events and replays</h2>
 * The funnel tables hold, per (entry day, step), the number of users whose chain reaches that step (and the sum of
 * their times from the previous step). The per-user stage reads this value <em>before</em> the batch (the opaque map
 * state hands it over, also when the batch is a replay) and computes it <em>after</em>; it emits the difference of the
 * user's contribution to the tables (−1 where the user's old chain counted, +1 where the new one counts) to the opaque
 * count tables. A late event that moves the entry earlier or completes a step out of order changes the chain, and the
 * difference moves the user in the tables; a replayed batch starts from the same before-value and emits the same
 * difference, which the opaque count tables apply once. So every table equals the sum over users of the contribution
 * of their chain over all events counted: exact by construction, whatever the order and however often batches replay.
 *
 * <h2>Bounded memory</h2>
 * Only events that can still change the chain are kept. An event is accepted only within {@code max_lateness} before
 * its receipt and {@code future_tolerance} after it, so while a user's events are received in order, none older than
 * {@code floor = newest event time − horizon} (horizon = max lateness + future tolerance) can still arrive. Kept:
 * events within {@code [t1, t1 + window]}, and events at or after {@code floor} that are not after the window (an
 * earlier step-1 event could still begin a chain before them); the step-1 mark only on the earliest step-1 event.
 * Once {@code floor} passes {@code t1 + window} nothing can change the chain: it is frozen and the events are dropped.
 * So a user keeps at most the distinct times of their matching events within {@code window + horizon}, 8 to 9 bytes
 * each when stored, and a finished user only the chain (at most 10 times).
 */
public final class FunnelProgress implements JourneyState {
    private static final long[] NONE = new long[0];
    private static final int[] NO_MASKS = new int[0];

    private final long newestMillis;
    private final long[] times;
    private final int[] masks;
    private final long[] frozenChain;

    /**
     * @param newestMillis the newest matching event's time seen
     * @param times the kept events' times, ascending and distinct
     * @param masks the steps each kept time matches, step 1 the lowest bit (events at one time are merged)
     * @param frozenChain the final chain once nothing can change it, else null
     */
    FunnelProgress(long newestMillis, long[] times, int[] masks, long[] frozenChain) {
        if (times.length != masks.length) {
            throw new IllegalArgumentException("times and masks differ in length");
        }
        this.newestMillis = newestMillis;
        this.times = times;
        this.masks = masks;
        this.frozenChain = frozenChain;
    }

    public long newestMillis() {
        return newestMillis;
    }

    long[] times() {
        return times;
    }

    int[] masks() {
        return masks;
    }

    long[] frozenChain() {
        return frozenChain;
    }

    public boolean frozen() {
        return frozenChain != null;
    }

    /** How many event times are kept (for the heap bound). */
    public int keptEvents() {
        return times.length;
    }

    /**
     * The progress after a batch.
     *
     * @param before the stored progress, null for a user never seen in this funnel
     * @param batchTimes the batch's matching event times (any order, duplicates allowed)
     * @param batchMasks the steps each of {@code batchTimes} matches (not 0)
     * @param steps how many steps the funnel has
     * @param windowMillis the conversion window
     * @param horizonMillis how much older than the newest event an event may still arrive (max lateness + future
     *     tolerance)
     */
    public static FunnelProgress advance(FunnelProgress before, long[] batchTimes, int[] batchMasks, int steps,
            long windowMillis, long horizonMillis) {
        long newest = before == null ? Long.MIN_VALUE : before.newestMillis;
        for (long time : batchTimes) {
            newest = Math.max(newest, time);
        }
        if (before != null && before.frozen()) {
            // Anything that could change a frozen chain is older than every event that may still arrive.
            return new FunnelProgress(newest, NONE, NO_MASKS, before.frozenChain);
        }
        long[] allTimes = before == null ? batchTimes.clone()
                : concat(before.times, batchTimes);
        int[] allMasks = before == null ? batchMasks.clone() : concat(before.masks, batchMasks);
        sortByTime(allTimes, allMasks);
        int distinct = mergeEqualTimes(allTimes, allMasks);
        long floor = newest - horizonMillis;
        long entry = Long.MAX_VALUE;
        for (int i = 0; i < distinct; i++) {
            if ((allMasks[i] & 1) != 0) {
                entry = allTimes[i];
                break;
            }
        }
        boolean entered = entry != Long.MAX_VALUE;
        long windowEnd = entered ? entry + windowMillis : Long.MAX_VALUE;
        long[] keptTimes = new long[distinct];
        int[] keptMasks = new int[distinct];
        int kept = 0;
        for (int i = 0; i < distinct; i++) {
            long time = allTimes[i];
            int mask = time > entry ? allMasks[i] & ~1 : allMasks[i];
            boolean mayCount = time <= windowEnd && (time >= floor || entered && time >= entry);
            if (mayCount && mask != 0) {
                keptTimes[kept] = time;
                keptMasks[kept] = mask;
                kept++;
            }
        }
        long[] times = Arrays.copyOf(keptTimes, kept);
        int[] masks = Arrays.copyOf(keptMasks, kept);
        if (entered && floor > windowEnd) {
            return new FunnelProgress(newest, NONE, NO_MASKS, chain(times, masks, steps, windowMillis));
        }
        return new FunnelProgress(newest, times, masks, null);
    }

    /**
     * The user's chain: the times of the steps reached, step 1 (the entry) first; empty while the user has not
     * entered.
     */
    public long[] chain(int steps, long windowMillis) {
        return frozenChain != null ? frozenChain.clone() : chain(times, masks, steps, windowMillis);
    }

    private static long[] chain(long[] times, int[] masks, int steps, long windowMillis) {
        long[] chain = new long[steps];
        int reached = 0;
        long windowEnd = 0;
        for (int i = 0; i < times.length && reached < steps; i++) {
            if (reached == 0) {
                if ((masks[i] & 1) != 0) {
                    chain[reached++] = times[i];
                    windowEnd = times[i] + windowMillis;
                }
            } else if (times[i] > windowEnd) {
                break;
            } else if ((masks[i] & (1 << reached)) != 0) {
                // Times are distinct and ascending, so this one is strictly after the previous step's.
                chain[reached++] = times[i];
            }
        }
        return Arrays.copyOf(chain, reached);
    }

    private static long[] concat(long[] a, long[] b) {
        long[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** Insertion sort: a user's events in a batch are few, and the kept ones already sorted. */
    private static void sortByTime(long[] times, int[] masks) {
        for (int i = 1; i < times.length; i++) {
            long time = times[i];
            int mask = masks[i];
            int j = i - 1;
            while (j >= 0 && times[j] > time) {
                times[j + 1] = times[j];
                masks[j + 1] = masks[j];
                j--;
            }
            times[j + 1] = time;
            masks[j + 1] = mask;
        }
    }

    /** Merges events at one time into one entry (their steps or-ed); returns how many distinct times there are. */
    private static int mergeEqualTimes(long[] times, int[] masks) {
        int out = 0;
        for (int i = 0; i < times.length; i++) {
            if (out > 0 && times[out - 1] == times[i]) {
                masks[out - 1] |= masks[i];
            } else {
                times[out] = times[i];
                masks[out] = masks[i];
                out++;
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FunnelProgress that && newestMillis == that.newestMillis
                && Arrays.equals(times, that.times) && Arrays.equals(masks, that.masks)
                && Arrays.equals(frozenChain, that.frozenChain);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(times) * 31 + Long.hashCode(newestMillis);
    }

    @Override
    public String toString() {
        return "FunnelProgress[newest=" + newestMillis + ", times=" + Arrays.toString(times) + ", masks="
                + Arrays.toString(masks) + ", frozenChain=" + Arrays.toString(frozenChain) + "]";
    }
}

package io.tally.state.segment;

import java.time.LocalDate;
import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * One user's progress towards one segment: the value of the {@code segment_progress} map state, updated once per
 * batch with the batch's matching events.
 *
 * <h2>Membership</h2>
 * A rule asks for {@code atLeast} matching events within {@code withinDays} consecutive UTC calendar days (one event,
 * one day, for a plain event rule). The user is a member from the <em>earliest</em> day on which a window ending
 * that day held enough events ({@link #qualifiedDay()}), among all events counted so far. Membership is sticky: a
 * member never leaves, even when the window passes. The qualification day depends only on the set of events, not on
 * the order they arrive in, which is what makes it reproducible; a late event can only move it earlier.
 *
 * <h2>Bounded memory</h2>
 * Per-day counts are kept only for days that can still change the answer: days before the qualification day (a
 * late event there could qualify an earlier window), and only those within {@code keepDays} plus the window of the
 * newest event.
 * Events older than that are too late to be accepted (ingest.max_lateness_ms), so dropping those days loses nothing
 * as long as a user's events arrive roughly in the order they were received.
 *
 * @param events matching events counted, ever
 * @param lastActivityMillis the newest matching event's time
 * @param qualifiedDay the UTC epoch day the user became a member; null while not a member
 * @param openDays matching events per UTC epoch day, for the days that can still change {@code qualifiedDay}
 */
public record SegmentProgress(long events, long lastActivityMillis, Long qualifiedDay, NavigableMap<Long, Long> openDays) {
    static final long DAY_MILLIS = 86_400_000L;

    public SegmentProgress {
        openDays = Collections.unmodifiableNavigableMap(new TreeMap<>(openDays));
    }

    public boolean qualified() {
        return qualifiedDay != null;
    }

    public LocalDate qualifiedOn() {
        return qualifiedDay == null ? null : LocalDate.ofEpochDay(qualifiedDay);
    }

    /**
     * The progress after a batch: {@code before} (null for a user never seen in this segment) plus the batch's
     * matching events per UTC epoch day.
     *
     * @param batchDays matching events of the batch per UTC epoch day (not empty)
     * @param batchLastMillis the newest of the batch's matching event times
     * @param keepDays per-day counts older than the newest event by more than this (plus the window) are dropped
     */
    public static SegmentProgress advance(SegmentProgress before, Map<Long, Long> batchDays, long batchLastMillis,
            int atLeast, int withinDays, int keepDays) {
        TreeMap<Long, Long> days = new TreeMap<>(before == null ? Map.of() : before.openDays());
        long events = before == null ? 0 : before.events();
        for (Map.Entry<Long, Long> day : batchDays.entrySet()) {
            days.merge(day.getKey(), day.getValue(), Long::sum);
            events += day.getValue();
        }
        long last = before == null ? batchLastMillis : Math.max(before.lastActivityMillis(), batchLastMillis);
        Long found = earliestQualifyingDay(days, atLeast, withinDays);
        Long qualified = before == null || before.qualifiedDay() == null ? found
                : found == null ? before.qualifiedDay() : Long.valueOf(Math.min(found, before.qualifiedDay()));
        if (qualified != null) {
            days.tailMap(qualified, true).clear();
        }
        days.headMap(Math.floorDiv(last, DAY_MILLIS) - keepDays - withinDays, false).clear();
        return new SegmentProgress(events, last, qualified, days);
    }

    /**
     * The first day ending a window of {@code withinDays} days with at least {@code atLeast} events. Only days with
     * events need checking: a window ending on an empty day holds no more than the one ending the day before.
     */
    static Long earliestQualifyingDay(NavigableMap<Long, Long> days, int atLeast, int withinDays) {
        for (Long end : days.keySet()) {
            long inWindow = 0;
            for (long count : days.subMap(end - withinDays, false, end, true).values()) {
                inWindow += count;
            }
            if (inWindow >= atLeast) {
                return end;
            }
        }
        return null;
    }
}

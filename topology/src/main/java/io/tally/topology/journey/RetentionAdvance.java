package io.tally.topology.journey;

import io.tally.bolts.journey.CompiledRetention;
import io.tally.state.journey.RetentionProgress;
import io.tally.state.schema.TallyTables;
import io.tally.topology.aggregate.UtcBucket;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import java.util.ArrayList;
import java.util.List;
import org.apache.storm.trident.state.ValueUpdater;

/**
 * One (retention definition, user)'s start and return events of a batch, applied to its stored progress by the
 * opaque map state's {@code multiUpdate}; like {@link FunnelAdvance}, it keeps the value from before the batch so the
 * caller emits the difference of the user's rows (see {@link RetentionProgress}).
 */
public final class RetentionAdvance implements ValueUpdater<RetentionProgress>, JourneyChange {
    /** The period kinds of {@code retention_by_day}. */
    public static final String DAY = "day";
    public static final String WEEK = "week";
    public static final String DAY_OR_LATER = "day_or_later";
    public static final String WEEK_OR_LATER = "week_or_later";

    private final CompiledRetention definition;
    private final long horizonMillis;
    private final LongArrayList times = new LongArrayList(4);
    private final IntArrayList kinds = new IntArrayList(4);
    private RetentionProgress before;
    private RetentionProgress after;

    public RetentionAdvance(CompiledRetention definition, long horizonMillis) {
        this.definition = definition;
        this.horizonMillis = horizonMillis;
    }

    /** An event of the batch: {@code kind} bit 1 a start, bit 2 a return (not 0). */
    public void add(long eventMillis, int kind) {
        times.add(eventMillis);
        kinds.add(kind);
    }

    @Override
    public RetentionProgress update(RetentionProgress stored) {
        before = stored;
        after = RetentionProgress.advance(stored, times.toLongArray(), kinds.toIntArray(), definition.spanDays(),
                horizonMillis);
        return after;
    }

    @Override
    public void emitChange(FunnelAdvance.TableDeltas deltas) {
        List<List<Object>> old = rows(definition, before);
        List<List<Object>> now = rows(definition, after);
        if (!old.equals(now)) {
            old.forEach(key -> deltas.add(TallyTables.RETENTION_BY_DAY, key, -1));
            now.forEach(key -> deltas.add(TallyTables.RETENTION_BY_DAY, key, 1));
        }
    }

    /**
     * The rows a user counts in: {@code [name, cohortDayStart, kind, period]}; period 0 of {@code day} and
     * {@code week} is the cohort itself.
     */
    static List<List<Object>> rows(CompiledRetention definition, RetentionProgress progress) {
        List<List<Object>> rows = new ArrayList<>();
        if (progress == null || progress.startMillis() == RetentionProgress.NONE) {
            return rows;
        }
        String name = definition.name();
        long cohort = UtcBucket.DAY.index(progress.startMillis());
        long cohortStart = UtcBucket.DAY.startOfIndex(cohort);
        rows.add(List.of(name, cohortStart, DAY, 0));
        rows.add(List.of(name, cohortStart, WEEK, 0));
        int lastWeek = 0;
        for (long day : progress.returnDays()) {
            long period = day - cohort;
            if (period >= 1 && period <= definition.days()) {
                rows.add(List.of(name, cohortStart, DAY, (int) period));
            }
            int week = (int) (period / 7);
            if (period >= 7 && week <= definition.weeks() && week != lastWeek) {
                rows.add(List.of(name, cohortStart, WEEK, week));
                lastWeek = week;
            }
        }
        long latest = progress.latestReturnDay() == RetentionProgress.NONE ? 0
                : Math.max(0, progress.latestReturnDay() - cohort);
        for (int k = 1; k <= Math.min(latest, definition.days()); k++) {
            rows.add(List.of(name, cohortStart, DAY_OR_LATER, k));
        }
        for (int k = 1; k <= Math.min(latest / 7, definition.weeks()); k++) {
            rows.add(List.of(name, cohortStart, WEEK_OR_LATER, k));
        }
        return rows;
    }
}

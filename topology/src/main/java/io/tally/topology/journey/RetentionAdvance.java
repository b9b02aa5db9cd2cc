package io.tally.topology.journey;

import io.tally.bolts.journey.CompiledRetention;
import io.tally.state.journey.RetentionProgress;
import io.tally.state.schema.TallyTables;
import io.tally.topology.aggregate.UtcBucket;
import java.util.List;

/** A (retention definition, user)'s events of a batch: marks bit 1 a start event, bit 2 a return event. */
public final class RetentionAdvance extends JourneyAdvance<RetentionProgress> {
    /** The period kinds of {@code retention_by_day}. */
    public static final String DAY = "day";
    public static final String WEEK = "week";
    public static final String DAY_OR_LATER = "day_or_later";
    public static final String WEEK_OR_LATER = "week_or_later";

    private final CompiledRetention definition;

    public RetentionAdvance(CompiledRetention definition, long horizonMillis) {
        super(horizonMillis);
        this.definition = definition;
    }

    @Override
    RetentionProgress advance(RetentionProgress stored, long[] eventTimes, int[] eventMarks) {
        return RetentionProgress.advance(stored, eventTimes, eventMarks, definition.spanDays(), horizonMillis);
    }

    /**
     * The rows a user counts in, {@code [name, cohortDayStart, kind, period]}, one each; period 0 of {@code day} and
     * {@code week} is the cohort itself.
     */
    @Override
    void rows(RetentionProgress progress, TableDeltas rows) {
        if (progress == null || progress.startMillis() == RetentionProgress.NONE) {
            return;
        }
        String name = definition.name();
        long cohort = UtcBucket.DAY.index(progress.startMillis());
        long cohortStart = UtcBucket.DAY.startOfIndex(cohort);
        rows.add(TallyTables.RETENTION_BY_DAY, List.of(name, cohortStart, DAY, 0), 1);
        rows.add(TallyTables.RETENTION_BY_DAY, List.of(name, cohortStart, WEEK, 0), 1);
        int lastWeek = 0;
        for (long day : progress.returnDays()) {
            long period = day - cohort;
            if (period >= 1 && period <= definition.days()) {
                rows.add(TallyTables.RETENTION_BY_DAY, List.of(name, cohortStart, DAY, (int) period), 1);
            }
            int week = (int) (period / 7);
            if (period >= 7 && week <= definition.weeks() && week != lastWeek) {
                rows.add(TallyTables.RETENTION_BY_DAY, List.of(name, cohortStart, WEEK, week), 1);
                lastWeek = week;
            }
        }
        long latest = progress.latestReturnDay() == RetentionProgress.NONE ? 0
                : Math.max(0, progress.latestReturnDay() - cohort);
        for (int k = 1; k <= Math.min(latest, definition.days()); k++) {
            rows.add(TallyTables.RETENTION_BY_DAY, List.of(name, cohortStart, DAY_OR_LATER, k), 1);
        }
        for (int k = 1; k <= Math.min(latest / 7, definition.weeks()); k++) {
            rows.add(TallyTables.RETENTION_BY_DAY, List.of(name, cohortStart, WEEK_OR_LATER, k), 1);
        }
    }
}

package io.tally.topology.journey;

import io.tally.bolts.journey.CompiledFunnels.Funnel;
import io.tally.state.journey.FunnelProgress;
import io.tally.state.schema.StepTimeBuckets;
import io.tally.state.schema.TallyTables;
import io.tally.topology.aggregate.UtcBucket;
import java.util.List;

/** A (funnel, user)'s events of a batch: marks are the steps each event matches, step 1 the lowest bit. */
public final class FunnelAdvance extends JourneyAdvance<FunnelProgress> {
    private final Funnel funnel;

    public FunnelAdvance(Funnel funnel, long horizonMillis) {
        super(horizonMillis);
        this.funnel = funnel;
    }

    @Override
    FunnelProgress advance(FunnelProgress stored, long[] eventTimes, int[] eventMarks) {
        return FunnelProgress.advance(stored, eventTimes, eventMarks, funnel.steps().size(), funnel.windowMillis(),
                horizonMillis);
    }

    /**
     * One user on their entry day for each step reached, and the time from the previous step for steps 2 on
     * (summed, and as one user in its bucket); a user
     * whose chain did not change changes nothing (the difference cancels out downstream).
     */
    @Override
    void rows(FunnelProgress progress, TableDeltas rows) {
        long[] chain = progress == null ? new long[0] : progress.chain(funnel.steps().size(), funnel.windowMillis());
        if (chain.length == 0) {
            return;
        }
        long day = UtcBucket.DAY.start(chain[0]);
        for (int step = 1; step <= chain.length; step++) {
            List<Object> key = List.of(funnel.name(), day, step);
            rows.add(TallyTables.FUNNEL_STEPS_BY_DAY, key, 1);
            if (step > 1) {
                long millis = chain[step - 1] - chain[step - 2];
                rows.add(TallyTables.FUNNEL_STEP_MS_BY_DAY, key, millis);
                rows.add(TallyTables.FUNNEL_STEP_TIMES_BY_DAY,
                        List.of(funnel.name(), day, step, StepTimeBuckets.bucket(millis)), 1);
            }
        }
    }
}

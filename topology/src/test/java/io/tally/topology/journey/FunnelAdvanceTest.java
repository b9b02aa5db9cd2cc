package io.tally.topology.journey;

import static io.tally.topology.journey.ReceiptOrder.DAY;
import static io.tally.topology.journey.ReceiptOrder.HOUR;
import static org.assertj.core.api.Assertions.assertThat;

import io.tally.bolts.journey.CompiledFunnels.Funnel;
import io.tally.state.journey.FunnelProgress;
import io.tally.state.schema.StepTimeBuckets;
import io.tally.state.schema.TallyTables;
import io.tally.topology.journey.ReceiptOrder.Sent;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Funnel progress against a brute force over each user's whole set of events: users' events arrive in receipt order
 * (so event times are out of order by up to the lateness), in random batches, some replayed, each stored value
 * passing through the codec as it would through Cassandra. The sum of the emitted changes must equal the tables
 * computed by enumerating every possible chain of steps.
 */
class FunnelAdvanceTest {
    @ParameterizedTest
    @MethodSource("io.tally.topology.journey.ReceiptOrder#seeds")
    void tablesEqualBruteForceWhateverTheOrderAndReplays(int seed) {
        Random random = new Random(seed);
        int steps = 2 + random.nextInt(4);
        Funnel funnel = new Funnel("f", Collections.nCopies(steps, event -> true), 1 + random.nextInt(3));
        long lateness = (1 + random.nextInt(48)) * HOUR;
        long future = random.nextInt(2) * HOUR;
        long horizon = lateness + future;
        Map<List<Object>, Long> emitted = new HashMap<>();
        Map<List<Object>, Long> truth = new HashMap<>();
        int frozen = 0;
        for (int user = 0; user < 200; user++) {
            List<Sent> events = ReceiptOrder.userEvents(random, 12, 10, lateness, future, () -> random.nextInt(6) == 0
                    ? 1 + random.nextInt((1 << steps) - 1) : 1 << random.nextInt(steps));
            bruteForce(events, steps, funnel.windowMillis(), truth);
            FunnelProgress stored = ReceiptOrder.deliver(events, random, () -> new FunnelAdvance(funnel, horizon),
                    emitted);
            assertBounded(stored, events, funnel.windowMillis(), horizon);
            frozen += stored.frozen() ? 1 : 0;
        }
        emitted.values().removeIf(n -> n == 0);
        truth.values().removeIf(n -> n == 0);
        assertThat(truth).as("users enter").isNotEmpty();
        assertThat(emitted).isEqualTo(truth);
        assertThat(frozen).as("some users' chains are final").isPositive();
    }

    @Test
    void aLateFirstStepMovesTheUserToTheEarlierEntryDay() {
        Funnel funnel = new Funnel("f", Collections.nCopies(3, event -> true), 1);
        long day10 = 10 * DAY;
        FunnelProgress before = FunnelProgress.advance(null, new long[] {day10 + 5 * HOUR, day10 + 6 * HOUR},
                new int[] {1, 2}, 3, funnel.windowMillis(), 2 * DAY);
        FunnelAdvance late = new FunnelAdvance(funnel, 2 * DAY);
        late.add(day10 - 2 * HOUR, 1);
        late.update(before);
        Map<List<Object>, Long> change = ReceiptOrder.changes(late);
        String steps = TallyTables.FUNNEL_STEPS_BY_DAY.name();
        String ms = TallyTables.FUNNEL_STEP_MS_BY_DAY.name();
        String times = TallyTables.FUNNEL_STEP_TIMES_BY_DAY.name();
        assertThat(change).containsOnly(
                Map.entry(List.of(steps, "f", day10, 1), -1L), Map.entry(List.of(steps, "f", day10, 2), -1L),
                Map.entry(List.of(ms, "f", day10, 2), -HOUR),
                Map.entry(List.of(times, "f", day10, 2, StepTimeBuckets.bucket(HOUR)), -1L),
                Map.entry(List.of(steps, "f", day10 - DAY, 1), 1L), Map.entry(List.of(steps, "f", day10 - DAY, 2), 1L),
                Map.entry(List.of(ms, "f", day10 - DAY, 2), 8 * HOUR),
                Map.entry(List.of(times, "f", day10 - DAY, 2, StepTimeBuckets.bucket(8 * HOUR)), 1L));
    }

    @Test
    void oneEventServesOneStepAndTheWindowIsInclusive() {
        FunnelProgress both = FunnelProgress.advance(null, new long[] {100}, new int[] {0b11}, 2, DAY, HOUR);
        assertThat(both.chain(2, DAY)).containsExactly(100);
        FunnelProgress edge = FunnelProgress.advance(both, new long[] {100 + DAY, 101 + DAY}, new int[] {0b10, 0b10},
                2, DAY, HOUR);
        assertThat(edge.chain(2, DAY)).containsExactly(100, 100 + DAY);
    }

    /**
     * The definition, by enumeration: the entry is the earliest step-1 event; step k is reached when some chain of
     * distinct events at strictly increasing times matches steps 2..k within the window; its time is the earliest end
     * of any such chain.
     */
    private static void bruteForce(List<Sent> events, int steps, long window, Map<List<Object>, Long> tables) {
        long entry = Long.MAX_VALUE;
        for (Sent event : events) {
            if ((event.marks() & 1) != 0) {
                entry = Math.min(entry, event.time());
            }
        }
        if (entry == Long.MAX_VALUE) {
            return;
        }
        long[] earliestEnd = new long[steps + 1];
        java.util.Arrays.fill(earliestEnd, Long.MAX_VALUE);
        earliestEnd[1] = entry;
        search(events, entry, entry + window, 2, steps, earliestEnd);
        long day = Math.floorDiv(entry, DAY) * DAY;
        for (int step = 1; step <= steps && earliestEnd[step] != Long.MAX_VALUE; step++) {
            tables.merge(List.of(TallyTables.FUNNEL_STEPS_BY_DAY.name(), "f", day, step), 1L, Long::sum);
            if (step > 1) {
                long millis = earliestEnd[step] - earliestEnd[step - 1];
                tables.merge(List.of(TallyTables.FUNNEL_STEP_MS_BY_DAY.name(), "f", day, step), millis, Long::sum);
                tables.merge(List.of(TallyTables.FUNNEL_STEP_TIMES_BY_DAY.name(), "f", day, step,
                        StepTimeBuckets.bucket(millis)), 1L, Long::sum);
            }
        }
    }

    private static void search(List<Sent> events, long previous, long windowEnd, int step, int steps, long[] ends) {
        if (step > steps) {
            return;
        }
        for (Sent event : events) {
            if ((event.marks() & (1 << (step - 1))) != 0 && event.time() > previous && event.time() <= windowEnd) {
                ends[step] = Math.min(ends[step], event.time());
                search(events, event.time(), windowEnd, step + 1, steps, ends);
            }
        }
    }

    /** What a user keeps: at most the distinct times within the window of the entry or the horizon of the newest. */
    private static void assertBounded(FunnelProgress progress, List<Sent> events, long window, long horizon) {
        long newest = events.stream().mapToLong(Sent::time).max().orElseThrow();
        long entry = events.stream().filter(e -> (e.marks() & 1) != 0).mapToLong(Sent::time).min()
                .orElse(Long.MAX_VALUE);
        long relevant = events.stream().mapToLong(Sent::time)
                .filter(t -> t >= newest - horizon || entry != Long.MAX_VALUE && t >= entry && t <= entry + window)
                .distinct().count();
        assertThat(progress.keptEvents()).isLessThanOrEqualTo((int) relevant);
        if (entry != Long.MAX_VALUE && newest - horizon > entry + window) {
            assertThat(progress.frozen()).as("final once the horizon passed the window").isTrue();
        }
    }
}

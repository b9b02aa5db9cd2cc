package io.tally.topology.journey;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.bolts.journey.CompiledFunnels.Funnel;
import io.tally.state.journey.FunnelProgress;
import io.tally.state.journey.JourneyStateCodec;
import io.tally.state.schema.TallyTables;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Funnel progress against a brute force over each user's whole set of events: users' events arrive in receipt order
 * (so event times are out of order by up to the lateness), in random batches, some replayed, each stored value
 * passing through the codec as it would through Cassandra. The sum of the emitted changes must equal the tables
 * computed by enumerating every possible chain of steps.
 */
class FunnelAdvanceTest {
    private static final long HOUR = 3_600_000L;
    private static final long DAY = 24 * HOUR;

    private record Sent(long receivedAt, long time, int mask) {
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
            26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40})
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
            List<Sent> events = userEvents(random, steps, lateness, future);
            bruteForce(events, steps, funnel.windowMillis(), truth);
            FunnelProgress stored = null;
            int next = 0;
            while (next < events.size()) {
                int size = Math.min(events.size() - next, 1 + random.nextInt(4));
                List<Sent> batch = events.subList(next, next + size);
                next += size;
                FunnelAdvance advance = apply(funnel, horizon, stored, batch);
                Map<List<Object>, Long> change = new HashMap<>();
                advance.emitChange((table, key, delta) -> add(change, table.name(), key, delta));
                if (random.nextInt(4) == 0) {
                    // A replay of the batch starts from the same stored value and must change the same.
                    FunnelAdvance replay = apply(funnel, horizon, stored, batch);
                    Map<List<Object>, Long> again = new HashMap<>();
                    replay.emitChange((table, key, delta) -> add(again, table.name(), key, delta));
                    assertThat(again).isEqualTo(change);
                }
                change.forEach((key, delta) -> emitted.merge(key, delta, Long::sum));
                FunnelProgress after = advance.update(stored);
                stored = (FunnelProgress) JourneyStateCodec.fromBytes(ByteBuffer.wrap(JourneyStateCodec.toBytes(after)));
                assertThat(stored).isEqualTo(after);
            }
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
        Map<List<Object>, Long> change = new HashMap<>();
        late.emitChange((table, key, delta) -> add(change, table.name(), key, delta));
        String steps = TallyTables.FUNNEL_STEPS_BY_DAY.name();
        String ms = TallyTables.FUNNEL_STEP_MS_BY_DAY.name();
        assertThat(change).containsOnly(
                Map.entry(List.of(steps, "f", day10, 1), -1L), Map.entry(List.of(steps, "f", day10, 2), -1L),
                Map.entry(List.of(ms, "f", day10, 2), -HOUR),
                Map.entry(List.of(steps, "f", day10 - DAY, 1), 1L), Map.entry(List.of(steps, "f", day10 - DAY, 2), 1L),
                Map.entry(List.of(ms, "f", day10 - DAY, 2), 8 * HOUR));
    }

    @Test
    void oneEventServesOneStepAndTheWindowIsInclusive() {
        FunnelProgress both = FunnelProgress.advance(null, new long[] {100}, new int[] {0b11}, 2, DAY, HOUR);
        assertThat(both.chain(2, DAY)).containsExactly(100);
        FunnelProgress edge = FunnelProgress.advance(both, new long[] {100 + DAY, 101 + DAY}, new int[] {0b10, 0b10},
                2, DAY, HOUR);
        assertThat(edge.chain(2, DAY)).containsExactly(100, 100 + DAY);
    }

    private static FunnelAdvance apply(Funnel funnel, long horizon, FunnelProgress stored, List<Sent> batch) {
        FunnelAdvance advance = new FunnelAdvance(funnel, horizon);
        batch.forEach(event -> advance.add(event.time(), event.mask()));
        advance.update(stored);
        return advance;
    }

    private static void add(Map<List<Object>, Long> into, String table, List<Object> key, long delta) {
        List<Object> full = new ArrayList<>();
        full.add(table);
        full.addAll(key);
        into.merge(full, delta, Long::sum);
    }

    /**
     * Events received in order over a few days, each up to the lateness before or the future tolerance after receipt,
     * many of them near those limits, where what a user keeps is tightest.
     */
    private static List<Sent> userEvents(Random random, int steps, long lateness, long future) {
        List<Sent> events = new ArrayList<>();
        int count = 1 + random.nextInt(12);
        long start = (5 + random.nextInt(5)) * DAY;
        for (int i = 0; i < count; i++) {
            long received = start + (long) (random.nextDouble() * (2 + random.nextInt(10)) * DAY);
            double late = random.nextBoolean() ? random.nextDouble() : 1 - random.nextDouble() / 20;
            long time = received - (long) (late * lateness) + (long) (random.nextDouble() * future);
            if (random.nextInt(5) == 0) {
                time = time / HOUR * HOUR; // some events share a time
            }
            int mask = random.nextInt(6) == 0 ? 1 + random.nextInt((1 << steps) - 1) : 1 << random.nextInt(steps);
            events.add(new Sent(received, time, mask));
        }
        events.sort(Comparator.comparingLong(Sent::receivedAt));
        return events;
    }

    /**
     * The definition, by enumeration: the entry is the earliest step-1 event; step k is reached when some chain of
     * distinct events at strictly increasing times matches steps 2..k within the window; its time is the earliest end
     * of any such chain.
     */
    private static void bruteForce(List<Sent> events, int steps, long window, Map<List<Object>, Long> tables) {
        long entry = Long.MAX_VALUE;
        for (Sent event : events) {
            if ((event.mask() & 1) != 0) {
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
                tables.merge(List.of(TallyTables.FUNNEL_STEP_MS_BY_DAY.name(), "f", day, step),
                        earliestEnd[step] - earliestEnd[step - 1], Long::sum);
            }
        }
    }

    private static void search(List<Sent> events, long previous, long windowEnd, int step, int steps, long[] ends) {
        if (step > steps) {
            return;
        }
        for (Sent event : events) {
            if ((event.mask() & (1 << (step - 1))) != 0 && event.time() > previous && event.time() <= windowEnd) {
                ends[step] = Math.min(ends[step], event.time());
                search(events, event.time(), windowEnd, step + 1, steps, ends);
            }
        }
    }

    /** What a user keeps: at most the distinct times within the window of the entry or the horizon of the newest. */
    private static void assertBounded(FunnelProgress progress, List<Sent> events, long window, long horizon) {
        long newest = events.stream().mapToLong(Sent::time).max().orElseThrow();
        long entry = events.stream().filter(e -> (e.mask() & 1) != 0).mapToLong(Sent::time).min()
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

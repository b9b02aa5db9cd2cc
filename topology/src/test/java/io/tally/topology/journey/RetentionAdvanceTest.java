package io.tally.topology.journey;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.bolts.journey.CompiledRetention;
import io.tally.state.journey.JourneyStateCodec;
import io.tally.state.journey.RetentionProgress;
import io.tally.state.schema.TallyTables;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Retention progress against a brute force over each user's whole set of events, delivered in receipt order (event
 * times out of order by up to the lateness) in random batches, some replayed, each stored value through the codec.
 */
class RetentionAdvanceTest {
    private static final long HOUR = 3_600_000L;
    private static final long DAY = 24 * HOUR;

    private record Sent(long receivedAt, long time, int kind) {
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
            26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40})
    void tablesEqualBruteForceWhateverTheOrderAndReplays(int seed) {
        Random random = new Random(seed);
        CompiledRetention definition = new CompiledRetention("r", event -> true, event -> true,
                1 + random.nextInt(20), 1 + random.nextInt(4));
        long lateness = (1 + random.nextInt(96)) * HOUR;
        long horizon = lateness + random.nextInt(2) * HOUR;
        Map<List<Object>, Long> emitted = new HashMap<>();
        Map<List<Object>, Long> truth = new HashMap<>();
        for (int user = 0; user < 200; user++) {
            List<Sent> events = userEvents(random, lateness, horizon - lateness);
            bruteForce(events, definition, truth);
            RetentionProgress stored = null;
            int next = 0;
            while (next < events.size()) {
                int size = Math.min(events.size() - next, 1 + random.nextInt(4));
                List<Sent> batch = events.subList(next, next + size);
                next += size;
                RetentionAdvance advance = apply(definition, horizon, stored, batch);
                Map<List<Object>, Long> change = new HashMap<>();
                advance.emitChange((table, key, delta) -> add(change, table.name(), key, delta));
                if (random.nextInt(4) == 0) {
                    Map<List<Object>, Long> again = new HashMap<>();
                    apply(definition, horizon, stored, batch)
                            .emitChange((table, key, delta) -> add(again, table.name(), key, delta));
                    assertThat(again).isEqualTo(change);
                }
                change.forEach((key, delta) -> emitted.merge(key, delta, Long::sum));
                RetentionProgress after = advance.update(stored);
                stored = (RetentionProgress) JourneyStateCodec.fromBytes(
                        ByteBuffer.wrap(JourneyStateCodec.toBytes(after)));
                assertThat(stored).isEqualTo(after);
            }
            assertThat(stored.returnDays().length).as("kept days")
                    .isLessThanOrEqualTo(definition.spanDays() + (int) (horizon / DAY) + 2);
        }
        emitted.values().removeIf(n -> n == 0);
        truth.values().removeIf(n -> n == 0);
        assertThat(truth.keySet()).anyMatch(key -> key.get(3).equals(RetentionAdvance.WEEK_OR_LATER));
        assertThat(emitted).isEqualTo(truth);
    }

    @Test
    void aLateStartMovesTheCohortAndItsReturns() {
        CompiledRetention definition = new CompiledRetention("r", event -> true, event -> true, 3, 1);
        RetentionProgress before = RetentionProgress.advance(null, new long[] {10 * DAY, 11 * DAY + HOUR},
                new int[] {1, 2}, definition.spanDays(), 3 * DAY);
        RetentionAdvance late = new RetentionAdvance(definition, 3 * DAY);
        late.add(9 * DAY + HOUR, 1);
        late.update(before);
        Map<List<Object>, Long> change = new HashMap<>();
        late.emitChange((table, key, delta) -> add(change, table.name(), key, delta));
        String t = TallyTables.RETENTION_BY_DAY.name();
        assertThat(change).containsOnly(
                Map.entry(List.of(t, "r", 10 * DAY, "day", 0), -1L), Map.entry(List.of(t, "r", 10 * DAY, "week", 0), -1L),
                Map.entry(List.of(t, "r", 10 * DAY, "day", 1), -1L),
                Map.entry(List.of(t, "r", 10 * DAY, "day_or_later", 1), -1L),
                Map.entry(List.of(t, "r", 9 * DAY, "day", 0), 1L), Map.entry(List.of(t, "r", 9 * DAY, "week", 0), 1L),
                Map.entry(List.of(t, "r", 9 * DAY, "day", 2), 1L),
                Map.entry(List.of(t, "r", 9 * DAY, "day_or_later", 1), 1L),
                Map.entry(List.of(t, "r", 9 * DAY, "day_or_later", 2), 1L));
    }

    private static RetentionAdvance apply(CompiledRetention definition, long horizon, RetentionProgress stored,
            List<Sent> batch) {
        RetentionAdvance advance = new RetentionAdvance(definition, horizon);
        batch.forEach(event -> advance.add(event.time(), event.kind()));
        advance.update(stored);
        return advance;
    }

    private static void add(Map<List<Object>, Long> into, String table, List<Object> key, long delta) {
        List<Object> full = new ArrayList<>();
        full.add(table);
        full.addAll(key);
        into.merge(full, delta, Long::sum);
    }

    private static List<Sent> userEvents(Random random, long lateness, long future) {
        List<Sent> events = new ArrayList<>();
        int count = 1 + random.nextInt(15);
        long start = (5 + random.nextInt(5)) * DAY;
        for (int i = 0; i < count; i++) {
            long received = start + (long) (random.nextDouble() * (2 + random.nextInt(40)) * DAY);
            double late = random.nextBoolean() ? random.nextDouble() : 1 - random.nextDouble() / 20;
            long time = received - (long) (late * lateness) + (long) (random.nextDouble() * future);
            events.add(new Sent(received, time, 1 + random.nextInt(3)));
        }
        events.sort(Comparator.comparingLong(Sent::receivedAt));
        return events;
    }

    /** The definition, directly: cohort day of the earliest start; each return's period; the latest return. */
    private static void bruteForce(List<Sent> events, CompiledRetention definition, Map<List<Object>, Long> tables) {
        long start = events.stream().filter(e -> (e.kind() & 1) != 0).mapToLong(Sent::time).min()
                .orElse(Long.MAX_VALUE);
        if (start == Long.MAX_VALUE) {
            return;
        }
        long cohort = Math.floorDiv(start, DAY);
        java.util.Set<List<Object>> rows = new java.util.HashSet<>();
        rows.add(List.of("r", cohort * DAY, "day", 0));
        rows.add(List.of("r", cohort * DAY, "week", 0));
        long latest = 0;
        for (Sent event : events) {
            if ((event.kind() & 2) == 0) {
                continue;
            }
            long period = Math.floorDiv(event.time(), DAY) - cohort;
            latest = Math.max(latest, period);
            if (period >= 1 && period <= definition.days()) {
                rows.add(List.of("r", cohort * DAY, "day", (int) period));
            }
            if (period >= 7 && period / 7 <= definition.weeks()) {
                rows.add(List.of("r", cohort * DAY, "week", (int) (period / 7)));
            }
        }
        for (int k = 1; k <= definition.days() && k <= latest; k++) {
            rows.add(List.of("r", cohort * DAY, "day_or_later", k));
        }
        for (int k = 1; k <= definition.weeks() && 7L * k <= latest; k++) {
            rows.add(List.of("r", cohort * DAY, "week_or_later", k));
        }
        rows.forEach(row -> {
            List<Object> key = new ArrayList<>();
            key.add(TallyTables.RETENTION_BY_DAY.name());
            key.addAll(row);
            tables.merge(key, 1L, Long::sum);
        });
    }
}

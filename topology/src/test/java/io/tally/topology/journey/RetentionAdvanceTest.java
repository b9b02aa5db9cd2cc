package io.tally.topology.journey;

import static io.tally.topology.journey.ReceiptOrder.DAY;
import static io.tally.topology.journey.ReceiptOrder.HOUR;
import static org.assertj.core.api.Assertions.assertThat;

import io.tally.bolts.journey.CompiledRetention;
import io.tally.state.journey.RetentionProgress;
import io.tally.state.schema.TallyTables;
import io.tally.topology.journey.ReceiptOrder.Sent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Retention progress against a brute force over each user's whole set of events, delivered as {@link ReceiptOrder}. */
class RetentionAdvanceTest {
    @ParameterizedTest
    @MethodSource("io.tally.topology.journey.ReceiptOrder#seeds")
    void tablesEqualBruteForceWhateverTheOrderAndReplays(int seed) {
        Random random = new Random(seed);
        CompiledRetention definition = new CompiledRetention("r", event -> true, event -> true,
                1 + random.nextInt(20), 1 + random.nextInt(4));
        long lateness = (1 + random.nextInt(240)) * HOUR;
        long horizon = lateness + random.nextInt(2) * HOUR;
        Map<List<Object>, Long> emitted = new HashMap<>();
        Map<List<Object>, Long> truth = new HashMap<>();
        for (int user = 0; user < 200; user++) {
            // Starts are rare, so many users return before their (late) start arrives: the kept days matter.
            List<Sent> events = ReceiptOrder.userEvents(random, 15, 40, lateness, horizon - lateness,
                    () -> random.nextInt(6) == 0 ? 1 + 2 * random.nextInt(2) : 2);
            bruteForce(events, definition, truth);
            RetentionProgress stored = ReceiptOrder.deliver(events, random,
                    () -> new RetentionAdvance(definition, horizon), emitted);
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
        Map<List<Object>, Long> change = ReceiptOrder.changes(late);
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

    /** The definition, directly: cohort day of the earliest start; each return's period; the latest return. */
    private static void bruteForce(List<Sent> events, CompiledRetention definition, Map<List<Object>, Long> tables) {
        long start = events.stream().filter(e -> (e.marks() & 1) != 0).mapToLong(Sent::time).min()
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
            if ((event.marks() & 2) == 0) {
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

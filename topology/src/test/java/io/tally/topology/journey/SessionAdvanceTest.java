package io.tally.topology.journey;

import static io.tally.topology.journey.ReceiptOrder.DAY;
import static io.tally.topology.journey.ReceiptOrder.HOUR;
import static org.assertj.core.api.Assertions.assertThat;

import io.tally.bolts.journey.CompiledSessions;
import io.tally.bolts.journey.SessionDefinition;
import io.tally.state.journey.SessionProgress;
import io.tally.state.schema.TallyTables;
import io.tally.topology.journey.ReceiptOrder.Sent;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Sessions against a brute force over each user's whole set of events, delivered as {@link ReceiptOrder}. */
class SessionAdvanceTest {
    private static final long MINUTE = 60_000L;
    private static final String T = TallyTables.SESSIONS_BY_DAY.name();

    @ParameterizedTest
    @MethodSource("io.tally.topology.journey.ReceiptOrder#seeds")
    void tablesEqualBruteForceWhateverTheOrderAndReplays(int seed) {
        Random random = new Random(seed);
        int gapMinutes = 1 + random.nextInt(90);
        CompiledSessions sessions = CompiledSessions.compile(new SessionDefinition(gapMinutes, null, null));
        long lateness = (1 + random.nextInt(48)) * HOUR;
        long horizon = lateness + random.nextInt(2) * HOUR;
        Map<List<Object>, Long> emitted = new HashMap<>();
        Map<List<Object>, Long> truth = new HashMap<>();
        int closedSomewhere = 0;
        for (int user = 0; user < 200; user++) {
            // Many events within a few days, so that gaps near the configured one are common.
            List<Sent> events = ReceiptOrder.userEvents(random, 60, 3, lateness, horizon - lateness, () -> 1);
            bruteForce(events, sessions.gapMillis(), truth);
            SessionProgress stored = ReceiptOrder.deliver(events, random,
                    () -> new SessionAdvance(sessions, "all", horizon), emitted);
            long newest = events.stream().mapToLong(Sent::time).max().orElseThrow();
            for (SessionProgress.Session open : stored.sessions()) {
                assertThat(open.lastMillis()).as("an open session can still grow")
                        .isGreaterThanOrEqualTo(newest - horizon - sessions.gapMillis());
            }
            assertThat(stored.sessions().size()).as("open sessions")
                    .isLessThanOrEqualTo((int) ((horizon + sessions.gapMillis()) / sessions.gapMillis()) + 1);
            if (truthSessions(events, sessions.gapMillis()) > stored.sessions().size()) {
                closedSomewhere++;
            }
        }
        emitted.values().removeIf(n -> n == 0);
        truth.values().removeIf(n -> n == 0);
        assertThat(closedSomewhere).as("users whose state dropped closed sessions").isPositive();
        assertThat(truth.keySet()).anyMatch(key -> key.get(3).equals(SessionAdvance.LENGTH_S)
                && (Integer) key.get(4) > 0);
        assertThat(emitted).isEqualTo(truth);
    }

    @Test
    void aLateEventJoinsTwoSessionsIntoOne() {
        CompiledSessions sessions = CompiledSessions.compile(new SessionDefinition(30, null, null));
        long base = 10 * DAY + 8 * HOUR;
        SessionProgress before = SessionProgress.advance(null, new long[] {base, base + 10 * MINUTE,
                base + 50 * MINUTE}, sessions.gapMillis(), DAY).progress();
        assertThat(before.sessions()).hasSize(2);
        SessionAdvance late = new SessionAdvance(sessions, "all", DAY);
        late.add(base + 30 * MINUTE, 1);
        late.update(before);
        Map<List<Object>, Long> change = ReceiptOrder.changes(late);
        change.values().removeIf(n -> n == 0);
        long day = 10 * DAY;
        assertThat(change).containsOnly(
                Map.entry(List.of(T, "all", day, "sessions", 0), -1L),
                Map.entry(List.of(T, "all", day, "total_ms", 0), 50 * MINUTE - 10 * MINUTE),
                Map.entry(List.of(T, "all", day, "total_events", 0), 1L),
                Map.entry(List.of(T, "all", day, "length_s", 600), -1L),
                Map.entry(List.of(T, "all", day, "length_s", 0), -1L),
                Map.entry(List.of(T, "all", day, "length_s", 1800), 1L),
                Map.entry(List.of(T, "all", day, "events", 2), -1L),
                Map.entry(List.of(T, "all", day, "events", 1), -1L),
                Map.entry(List.of(T, "all", day, "events", 3), 1L));
    }

    @Test
    void aSessionBeyondTheHorizonIsDroppedFromTheStateAndStaysCounted() {
        CompiledSessions sessions = CompiledSessions.compile(new SessionDefinition(30, null, null));
        long base = 10 * DAY;
        SessionProgress before = SessionProgress.advance(null, new long[] {base}, sessions.gapMillis(), HOUR)
                .progress();
        SessionAdvance later = new SessionAdvance(sessions, "all", HOUR);
        later.add(base + 2 * HOUR, 1);
        SessionProgress after = later.update(before);
        assertThat(after.sessions()).containsExactly(new SessionProgress.Session(base + 2 * HOUR, base + 2 * HOUR, 1));
        Map<List<Object>, Long> change = ReceiptOrder.changes(later);
        change.values().removeIf(n -> n == 0);
        assertThat(change).containsOnly(Map.entry(List.of(T, "all", base, "sessions", 0), 1L),
                Map.entry(List.of(T, "all", base, "total_events", 0), 1L),
                Map.entry(List.of(T, "all", base, "length_s", 0), 1L),
                Map.entry(List.of(T, "all", base, "events", 1), 1L));
    }

    @Test
    void eventsExactlyTheGapApartAreOneSession() {
        SessionProgress progress = SessionProgress.advance(null, new long[] {0, 30 * MINUTE, 60 * MINUTE + 1},
                30 * MINUTE, DAY).progress();
        assertThat(progress.sessions()).containsExactly(new SessionProgress.Session(0, 30 * MINUTE, 2),
                new SessionProgress.Session(60 * MINUTE + 1, 60 * MINUTE + 1, 1));
    }

    @Test
    void bucketsAreLowerBounds() {
        assertThat(SessionAdvance.lowerBound(SessionAdvance.LENGTH_BOUNDS_S, 0)).isZero();
        assertThat(SessionAdvance.lowerBound(SessionAdvance.LENGTH_BOUNDS_S, 29)).isEqualTo(10);
        assertThat(SessionAdvance.lowerBound(SessionAdvance.LENGTH_BOUNDS_S, 1_000_000)).isEqualTo(14400);
        assertThat(SessionAdvance.lowerBound(SessionAdvance.EVENT_BOUNDS, 4)).isEqualTo(3);
        assertThat(SessionAdvance.lowerBound(SessionAdvance.EVENT_BOUNDS, 500)).isEqualTo(500);
    }

    /** The definition, directly: the user's times in order, cut where one follows the previous by more than the gap. */
    private static void bruteForce(List<Sent> events, long gap, Map<List<Object>, Long> tables) {
        long[] times = events.stream().mapToLong(Sent::time).sorted().toArray();
        int start = 0;
        for (int i = 1; i <= times.length; i++) {
            if (i == times.length || times[i] - times[i - 1] > gap) {
                long day = Math.floorDiv(times[start], DAY) * DAY;
                long length = times[i - 1] - times[start];
                long count = i - start;
                ReceiptOrder.add(tables, T, List.of("all", day, "sessions", 0), 1);
                ReceiptOrder.add(tables, T, List.of("all", day, "total_ms", 0), length);
                ReceiptOrder.add(tables, T, List.of("all", day, "total_events", 0), count);
                ReceiptOrder.add(tables, T, List.of("all", day, "length_s",
                        bound(new int[] {0, 10, 30, 60, 180, 600, 1800, 3600, 7200, 14400}, length / 1000)), 1);
                ReceiptOrder.add(tables, T, List.of("all", day, "events",
                        bound(new int[] {1, 2, 3, 5, 10, 20, 50, 100, 200, 500}, count)), 1);
                start = i;
            }
        }
    }

    private static int truthSessions(List<Sent> events, long gap) {
        long[] times = events.stream().mapToLong(Sent::time).sorted().toArray();
        int sessions = 1;
        for (int i = 1; i < times.length; i++) {
            sessions += times[i] - times[i - 1] > gap ? 1 : 0;
        }
        return sessions;
    }

    /** The documented buckets, written out again rather than read from the code under test. */
    private static int bound(int[] bounds, long amount) {
        int found = bounds[0];
        for (int b : bounds) {
            found = amount >= b ? b : found;
        }
        return found;
    }
}

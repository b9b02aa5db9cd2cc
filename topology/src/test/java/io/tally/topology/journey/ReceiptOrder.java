package io.tally.topology.journey;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.state.journey.JourneyState;
import io.tally.state.journey.JourneyStateCodec;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * One user's events as the per-user stage gets them: in the order they were received (so their event times are out
 * of order by up to the lateness), in random batches, a quarter of them replayed, each stored value passing through
 * the codec as it would through Cassandra.
 */
final class ReceiptOrder {
    static final long HOUR = 3_600_000L;
    static final long DAY = 24 * HOUR;

    private ReceiptOrder() {
    }

    /** An event: when it was received, its time, and what it is to the definition. */
    record Sent(long receivedAt, long time, int marks) {
    }

    /** The seeds each random test runs with. */
    static IntStream seeds() {
        return IntStream.rangeClosed(1, 40);
    }

    /**
     * Up to {@code maxEvents} events received within a few days (up to {@code maxDays}), each up to the lateness
     * before or the future tolerance after its receipt, many near those limits, where what a user keeps is tightest;
     * a fifth of them on a whole hour, so that some share a time.
     */
    static List<Sent> userEvents(Random random, int maxEvents, int maxDays, long lateness, long future,
            IntSupplier marks) {
        List<Sent> events = new ArrayList<>();
        int count = 1 + random.nextInt(maxEvents);
        long start = (5 + random.nextInt(5)) * DAY;
        for (int i = 0; i < count; i++) {
            long received = start + (long) (random.nextDouble() * (2 + random.nextInt(maxDays)) * DAY);
            double late = random.nextBoolean() ? random.nextDouble() : 1 - random.nextDouble() / 20;
            long time = received - (long) (late * lateness) + (long) (random.nextDouble() * future);
            if (random.nextInt(5) == 0) {
                time = time / HOUR * HOUR;
            }
            events.add(new Sent(received, time, marks.getAsInt()));
        }
        events.sort(Comparator.comparingLong(Sent::receivedAt));
        return events;
    }

    /**
     * Delivers {@code events} to fresh advances batch after batch, adds every batch's changes to {@code emitted}, and
     * returns the state stored at the end. A replayed batch must change exactly what its first attempt did.
     */
    @SuppressWarnings("unchecked")
    static <T extends JourneyState> T deliver(List<Sent> events, Random random,
            Supplier<? extends JourneyAdvance<T>> advances, Map<List<Object>, Long> emitted) {
        T stored = null;
        int next = 0;
        while (next < events.size()) {
            int size = Math.min(events.size() - next, 1 + random.nextInt(4));
            List<Sent> batch = events.subList(next, next + size);
            next += size;
            Map<List<Object>, Long> change = apply(advances.get(), stored, batch);
            if (random.nextInt(4) == 0) {
                assertThat(apply(advances.get(), stored, batch)).as("a replay changes the same").isEqualTo(change);
            }
            change.forEach((key, delta) -> emitted.merge(key, delta, Long::sum));
            JourneyAdvance<T> advance = advances.get();
            batch.forEach(event -> advance.add(event.time(), event.marks()));
            T after = advance.update(stored);
            stored = (T) JourneyStateCodec.fromBytes(ByteBuffer.wrap(JourneyStateCodec.toBytes(after)));
            assertThat(stored).isEqualTo(after);
        }
        return stored;
    }

    private static <T extends JourneyState> Map<List<Object>, Long> apply(JourneyAdvance<T> advance, T stored,
            List<Sent> batch) {
        batch.forEach(event -> advance.add(event.time(), event.marks()));
        advance.update(stored);
        Map<List<Object>, Long> change = new HashMap<>();
        advance.emitChange((table, key, delta) -> add(change, table.name(), key, delta));
        return change;
    }

    /** Adds {@code delta} under {@code [table, key...]}. */
    static void add(Map<List<Object>, Long> into, String table, List<Object> key, long delta) {
        List<Object> full = new ArrayList<>();
        full.add(table);
        full.addAll(key);
        into.merge(full, delta, Long::sum);
    }

    /** The changes {@code advance} emits once updated. */
    static Map<List<Object>, Long> changes(JourneyAdvance<?> advance) {
        Map<List<Object>, Long> change = new HashMap<>();
        advance.emitChange((table, key, delta) -> add(change, table.name(), key, delta));
        return change;
    }
}

package io.tally.bench;

import io.tally.state.cassandra.CassandraMapStateFactory;
import io.tally.state.cassandra.HeldValues;
import io.tally.state.cassandra.MapTable;
import io.tally.state.journey.FunnelProgress;
import io.tally.state.journey.RetentionProgress;
import io.tally.state.journey.SessionProgress;
import io.tally.state.schema.TallyTables;
import io.tally.state.segment.SegmentProgress;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.BiFunction;
import org.apache.storm.trident.state.OpaqueValue;

/**
 * The heap that the per-user stage's write-behind states take per (definition, user), measured, beside the weight
 * they count it as ({@code aggregates.user_state_memory_mb} bounds the weight): a million values of each kind of
 * state put through a write-behind partition's memory ({@link CassandraMapStateFactory#heldOnly}) as a batch would
 * (the value before the batch kept beside it), the heap used after a full collection before and after. Run with a heap
 * of at least 3 GB and nothing else in the JVM.
 */
public final class UserStateMemoryBenchmark {
    private static final int USERS = 1_000_000;
    private static final int BATCH = 10_000;
    private static final long MINUTE = 60_000L;
    private static final long DAY = 1_440 * MINUTE;
    private static final long HORIZON = 7 * DAY + 60 * MINUTE;
    private static final long START = 1_795_000_000_000L;

    private UserStateMemoryBenchmark() {
    }

    public static void main(String[] args) {
        System.out.printf("%-34s %12s %12s %8s%n", "state per (definition, user)", "heap bytes", "weight bytes",
                "weight/heap");
        measure("funnel, 3 steps, 2 reached", TallyTables.USER_JOURNEYS, (random, user) -> {
            long first = START + random.nextLong(DAY);
            return FunnelProgress.advance(null, new long[] {first, first + random.nextLong(1, 60 * MINUTE)},
                    new int[] {1, 2}, 3, 7 * DAY, HORIZON);
        });
        measure("retention, returned on 3 days", TallyTables.USER_JOURNEYS, (random, user) -> {
            long start = START + random.nextLong(DAY);
            return RetentionProgress.advance(null, new long[] {start, start + DAY, start + 2 * DAY, start + 4 * DAY},
                    new int[] {1, 2, 2, 2}, 30, HORIZON);
        });
        measure("sessions, 2 open", TallyTables.USER_JOURNEYS, (random, user) -> {
            long start = START + random.nextLong(DAY);
            long[] times = {start, start + random.nextLong(1, 5 * MINUTE), start + 60 * MINUTE,
                    start + 61 * MINUTE};
            return SessionProgress.advance(null, times, 30 * MINUTE, HORIZON).progress();
        });
        measure("segment progress, 3 open days", TallyTables.SEGMENT_PROGRESS, (random, user) -> {
            long day = (START + random.nextLong(DAY)) / DAY;
            TreeMap<Long, Long> days = new TreeMap<>();
            for (int d = 0; d < 3; d++) {
                days.put(day + d, 1L + random.nextLong(4));
            }
            return new SegmentProgress(7, (day + 2) * DAY, null, days);
        });
    }

    private static <T> void measure(String name, MapTable<T> table,
            BiFunction<SplittableRandom, Integer, T> valueOf) {
        SplittableRandom random = new SplittableRandom(name.hashCode());
        long before = usedAfterGc();
        HeldValues<T> state = CassandraMapStateFactory.heldOnly(table);
        List<List<Object>> keys = new ArrayList<>(BATCH);
        List<OpaqueValue<T>> values = new ArrayList<>(BATCH);
        for (int user = 0; user < USERS; user++) {
            T value = valueOf.apply(random, user);
            keys.add(List.of("definition", "user-" + user));
            // The value before the batch, as Trident's opaque values keep it: another of the same kind.
            values.add(new OpaqueValue<>(7L, value, valueOf.apply(random, user)));
            if (keys.size() == BATCH) {
                state.multiPut(keys, values);
                keys = new ArrayList<>(BATCH);
                values = new ArrayList<>(BATCH);
            }
        }
        long after = usedAfterGc();
        double heap = (after - before) / (double) USERS;
        double weight = state.heldBytes() / (double) USERS;
        System.out.printf("%-34s %12.1f %12.1f %8.2f%n", name, heap, weight, weight / heap);
        if (state.unflushed() != USERS) {
            throw new IllegalStateException("lost values: " + state.unflushed());
        }
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}

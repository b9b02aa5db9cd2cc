package io.tally.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.tally.local.sample.GeneratedEvent;
import io.tally.state.schema.StepTimeBuckets;
import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;

/**
 * Funnel tables computed by brute force from what was produced, with step predicates the test writes by hand against
 * the raw JSON, never with Tally's rule compiler or funnel state. The semantics are those documented: a user enters at
 * their earliest step-1 event (cohort: its UTC day) and reaches step k when distinct events at strictly increasing
 * times match steps 2..k within the window; the time of a step is the earliest end of any such chain. Every chain is
 * enumerated. Keys are {@code [funnel, day, step]} as text.
 */
public final class FunnelTruth {
    private static final long DAY = 86_400_000L;

    /** A funnel as the test understands it. */
    public record Funnel(String name, List<BiPredicate<String, JsonNode>> steps, int windowDays) {
    }

    private record Matched(long time, int mask) {
    }

    private final List<Funnel> funnels;
    private final ProducedOnce produced = new ProducedOnce();
    private final Map<List<String>, List<Matched>> matching = new HashMap<>();

    public FunnelTruth(List<Funnel> funnels) {
        this.funnels = List.copyOf(funnels);
    }

    /** An accepted event as produced; a repeated messageId is a duplicate and is not counted. */
    public synchronized void add(GeneratedEvent event) {
        JsonNode json = produced.first(event);
        if (json == null) {
            return;
        }
        for (Funnel funnel : funnels) {
            int mask = 0;
            for (int step = 0; step < funnel.steps().size(); step++) {
                if (funnel.steps().get(step).test(event.countName(), json)) {
                    mask |= 1 << step;
                }
            }
            if (mask != 0) {
                matching.computeIfAbsent(List.of(funnel.name(), event.userKey()), k -> new ArrayList<>())
                        .add(new Matched(event.eventTimeMillis(), mask));
            }
        }
    }

    /** {@code [funnel, day, step]} → users of that entry day who reached the step. */
    public synchronized Map<List<String>, Long> users() {
        return tables(false);
    }

    /** {@code [funnel, day, step]} → their milliseconds from the previous step, summed (steps 2 on). */
    public synchronized Map<List<String>, Long> totalMillis() {
        return tables(true);
    }

    /**
     * {@code [funnel, day, step, bucket]} → users of that entry day whose time from the previous step falls in the
     * bucket (steps 2 on): each user's exact time put through the documented mapping, {@link StepTimeBuckets#bucket}.
     */
    public synchronized Map<List<String>, Long> timeBuckets() {
        Map<List<String>, Long> tables = new HashMap<>();
        stepTimes().forEach((row, times) -> times.forEach(millis -> tables.merge(List.of(row.get(0), row.get(1),
                row.get(2), String.valueOf(StepTimeBuckets.bucket(millis))), 1L, Long::sum)));
        return tables;
    }

    /** {@code [funnel, day, step]} → each user's exact milliseconds from the previous step (steps 2 on). */
    public synchronized Map<List<String>, List<Long>> stepTimes() {
        Map<List<String>, List<Long>> times = new HashMap<>();
        matching.forEach((key, events) -> {
            List<Long> chain = chain(events, find(key.get(0)));
            String day = chain.isEmpty() ? null : LocalDate.ofEpochDay(Math.floorDiv(chain.get(0), DAY)).toString();
            for (int step = 2; step <= chain.size(); step++) {
                times.computeIfAbsent(List.of(key.get(0), day, String.valueOf(step)), k -> new ArrayList<>())
                        .add(chain.get(step - 1) - chain.get(step - 2));
            }
        });
        return times;
    }

    /** The step times of one user's chain (empty when not entered). */
    public synchronized List<Long> chain(String funnel, String user) {
        List<Matched> events = matching.getOrDefault(List.of(funnel, user), List.of());
        return chain(events, find(funnel));
    }

    private Map<List<String>, Long> tables(boolean millis) {
        Map<List<String>, Long> tables = new HashMap<>();
        matching.forEach((key, events) -> {
            List<Long> chain = chain(events, find(key.get(0)));
            if (chain.isEmpty()) {
                return;
            }
            String day = LocalDate.ofEpochDay(Math.floorDiv(chain.get(0), DAY)).toString();
            for (int step = 1; step <= chain.size(); step++) {
                List<String> row = List.of(key.get(0), day, String.valueOf(step));
                if (!millis) {
                    tables.merge(row, 1L, Long::sum);
                } else if (step > 1) {
                    tables.merge(row, chain.get(step - 1) - chain.get(step - 2), Long::sum);
                }
            }
        });
        tables.values().removeIf(n -> n == 0);
        return tables;
    }

    private Funnel find(String name) {
        return funnels.stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
    }

    private static List<Long> chain(List<Matched> events, Funnel funnel) {
        long entry = events.stream().filter(e -> (e.mask() & 1) != 0).mapToLong(Matched::time).min()
                .orElse(Long.MAX_VALUE);
        if (entry == Long.MAX_VALUE) {
            return List.of();
        }
        int steps = funnel.steps().size();
        long[] earliestEnd = new long[steps + 1];
        java.util.Arrays.fill(earliestEnd, Long.MAX_VALUE);
        earliestEnd[1] = entry;
        search(events, entry, entry + funnel.windowDays() * DAY, 2, steps, earliestEnd);
        List<Long> chain = new ArrayList<>();
        for (int step = 1; step <= steps && earliestEnd[step] != Long.MAX_VALUE; step++) {
            chain.add(earliestEnd[step]);
        }
        return chain;
    }

    private static void search(List<Matched> events, long previous, long windowEnd, int step, int steps,
            long[] ends) {
        if (step > steps) {
            return;
        }
        for (Matched event : events) {
            if ((event.mask() & (1 << (step - 1))) != 0 && event.time() > previous && event.time() <= windowEnd
                    && event.time() <= ends[step]) {
                ends[step] = Math.min(ends[step], event.time());
                search(events, event.time(), windowEnd, step + 1, steps, ends);
            }
        }
    }
}

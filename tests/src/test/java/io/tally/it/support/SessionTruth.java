package io.tally.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.tally.local.sample.GeneratedEvent;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code sessions_by_day} computed by brute force from what was produced, with the semantics documented in
 * docs/journeys.md: per user and value of the session property, events in time order are one session while each
 * follows the previous by at most the gap; a session counts on the UTC day of its first event. Keys are
 * {@code [property_value, day, kind, bucket]} as text.
 */
public final class SessionTruth {
    private static final long DAY = 86_400_000L;
    private static final long[] LENGTH_BOUNDS_S = {0, 10, 30, 60, 180, 600, 1800, 3600, 7200, 14400};
    private static final long[] EVENT_BOUNDS = {1, 2, 3, 5, 10, 20, 50, 100, 200, 500};

    private final long gapMillis;
    private final List<String> propertyPath;
    private final Set<String> values;
    private final ProducedOnce produced = new ProducedOnce();
    private final Map<List<String>, List<Long>> times = new HashMap<>();

    /**
     * @param propertyPath the session property's path as JSON field names (e.g. context, device, type)
     * @param values the values kept apart; any other is "other", a missing one "none"
     */
    public SessionTruth(long gapMillis, List<String> propertyPath, Set<String> values) {
        this.gapMillis = gapMillis;
        this.propertyPath = List.copyOf(propertyPath);
        this.values = Set.copyOf(values);
    }

    /** An accepted event as produced; a repeated messageId is a duplicate and is not counted. */
    public synchronized void add(GeneratedEvent event) {
        JsonNode json = produced.first(event);
        if (json == null) {
            return;
        }
        JsonNode value = json;
        for (String field : propertyPath) {
            value = value.path(field);
        }
        String stream = !value.isValueNode() || value.isNull() ? "none"
                : values.contains(value.asText()) ? value.asText() : "other";
        times.computeIfAbsent(List.of(stream, event.userKey()), key -> new ArrayList<>()).add(event.eventTimeMillis());
    }

    /** {@code [property_value, day, kind, bucket]} → sessions (or summed milliseconds and events). */
    public synchronized Map<List<String>, Long> rows() {
        Map<List<String>, Long> table = new HashMap<>();
        times.forEach((key, list) -> {
            long[] sorted = list.stream().mapToLong(Long::longValue).sorted().toArray();
            int start = 0;
            for (int i = 1; i <= sorted.length; i++) {
                if (i < sorted.length && sorted[i] - sorted[i - 1] <= gapMillis) {
                    continue;
                }
                String day = LocalDate.ofEpochDay(Math.floorDiv(sorted[start], DAY)).toString();
                long length = sorted[i - 1] - sorted[start];
                long events = i - start;
                String value = key.get(0);
                table.merge(List.of(value, day, "sessions", "0"), 1L, Long::sum);
                table.merge(List.of(value, day, "total_ms", "0"), length, Long::sum);
                table.merge(List.of(value, day, "total_events", "0"), events, Long::sum);
                table.merge(List.of(value, day, "length_s", bound(LENGTH_BOUNDS_S, length / 1000)), 1L, Long::sum);
                table.merge(List.of(value, day, "events", bound(EVENT_BOUNDS, events)), 1L, Long::sum);
                start = i;
            }
        });
        table.values().removeIf(n -> n == 0);
        return table;
    }

    private static String bound(long[] bounds, long amount) {
        long found = bounds[0];
        for (long b : bounds) {
            found = amount >= b ? b : found;
        }
        return String.valueOf(found);
    }
}

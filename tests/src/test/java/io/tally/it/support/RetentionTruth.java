package io.tally.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tally.local.sample.GeneratedEvent;
import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * {@code retention_by_day} computed by brute force from what was produced, with predicates the test writes by hand
 * against the raw JSON. The semantics are those documented: the cohort is the UTC day of a user's earliest start
 * event; a return on the k-th day after it counts for day k (1..days) and for week k/7 (1..weeks); the latest return
 * counts for every "or later" period up to it. Keys are {@code [retention, cohort, kind, period]} as text.
 */
public final class RetentionTruth {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long DAY = 86_400_000L;

    /** A retention definition as the test understands it; {@code returns} null for any event. */
    public record Definition(String name, BiPredicate<String, JsonNode> start, BiPredicate<String, JsonNode> returns,
            int days, int weeks) {
    }

    private final List<Definition> definitions;
    private final ProducedOnce produced = new ProducedOnce();
    private final Map<List<String>, Long> starts = new HashMap<>();
    private final Map<List<String>, List<Long>> returnDays = new HashMap<>();

    public RetentionTruth(List<Definition> definitions) {
        this.definitions = List.copyOf(definitions);
    }

    /** An accepted event as produced; a repeated messageId is a duplicate and is not counted. */
    public synchronized void add(GeneratedEvent event) {
        JsonNode json = produced.first(event);
        if (json == null) {
            return;
        }
        for (Definition definition : definitions) {
            List<String> key = List.of(definition.name(), event.userKey());
            if (definition.start().test(event.countName(), json)) {
                starts.merge(key, event.eventTimeMillis(), Math::min);
            }
            if (definition.returns() == null || definition.returns().test(event.countName(), json)) {
                returnDays.computeIfAbsent(key, k -> new ArrayList<>())
                        .add(Math.floorDiv(event.eventTimeMillis(), DAY));
            }
        }
    }

    /** {@code [retention, cohort, kind, period]} → users. */
    public synchronized Map<List<String>, Long> users() {
        Map<List<String>, Long> table = new HashMap<>();
        starts.forEach((key, start) -> {
            Definition definition = definitions.stream().filter(d -> d.name().equals(key.get(0))).findFirst()
                    .orElseThrow();
            long cohort = Math.floorDiv(start, DAY);
            String day = LocalDate.ofEpochDay(cohort).toString();
            Set<List<String>> rows = new HashSet<>();
            rows.add(List.of(key.get(0), day, "day", "0"));
            rows.add(List.of(key.get(0), day, "week", "0"));
            long latest = 0;
            for (long returned : returnDays.getOrDefault(key, List.of())) {
                long period = returned - cohort;
                latest = Math.max(latest, period);
                if (period >= 1 && period <= definition.days()) {
                    rows.add(List.of(key.get(0), day, "day", String.valueOf(period)));
                }
                if (period >= 7 && period / 7 <= definition.weeks()) {
                    rows.add(List.of(key.get(0), day, "week", String.valueOf(period / 7)));
                }
            }
            for (long k = 1; k <= latest && k <= definition.days(); k++) {
                rows.add(List.of(key.get(0), day, "day_or_later", String.valueOf(k)));
            }
            for (long k = 1; 7 * k <= latest && k <= definition.weeks(); k++) {
                rows.add(List.of(key.get(0), day, "week_or_later", String.valueOf(k)));
            }
            rows.forEach(row -> table.merge(row, 1L, Long::sum));
        });
        return table;
    }
}

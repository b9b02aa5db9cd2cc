package io.tally.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.tally.local.sample.GeneratedEvent;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiPredicate;

/**
 * Segment membership computed here by brute force from what was produced, with predicates the test writes by hand
 * against the raw JSON (read with a plain ObjectMapper), never with Tally's rule compiler or progress state. The
 * semantics are those documented for segments: a user is a member from the earliest UTC day ending a window of
 * {@code withinDays} days that holds at least {@code atLeast} matching events, among every event counted.
 * Keys are the tables' key columns as text, values the row's other columns joined with {@code |}.
 */
public final class SegmentTruth {

    /** A segment as the test understands it: which events count (by counting name and raw JSON), and how many. */
    public record Rule(String name, BiPredicate<String, JsonNode> where, int atLeast, int withinDays) {
    }

    private final List<Rule> rules;
    private final ProducedOnce produced = new ProducedOnce();
    private final Map<List<String>, List<Long>> matchingTimes = new HashMap<>();

    public SegmentTruth(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** An accepted event as produced; a repeated messageId is a duplicate and is not counted. */
    public synchronized void add(GeneratedEvent event) {
        JsonNode json = produced.first(event);
        if (json == null) {
            return;
        }
        for (Rule rule : rules) {
            if (rule.where().test(event.countName(), json)) {
                matchingTimes.computeIfAbsent(List.of(rule.name(), event.userKey()), k -> new ArrayList<>())
                        .add(event.eventTimeMillis());
            }
        }
    }

    /** {@code [segment, user]} → {@code qualified_on|last_activity|events} of every member. */
    public synchronized Map<List<String>, String> members() {
        Map<List<String>, String> members = new HashMap<>();
        matchingTimes.forEach((key, times) -> {
            LocalDate qualified = qualifiedOn(rule(key.get(0)), times);
            if (qualified != null) {
                long last = times.stream().mapToLong(Long::longValue).max().orElseThrow();
                members.put(key, qualified + "|" + Instant.ofEpochMilli(last) + "|" + times.size());
            }
        });
        return members;
    }

    /** {@code [user, segment]} → the same as {@link #members()}: the reverse lookup. */
    public synchronized Map<List<String>, String> userSegments() {
        Map<List<String>, String> reverse = new HashMap<>();
        members().forEach((key, row) -> reverse.put(List.of(key.get(1), key.get(0)), row));
        return reverse;
    }

    /** {@code [segment, day]} → members who entered on that day. */
    public synchronized Map<List<String>, Long> entered() {
        Map<List<String>, Long> sizes = new HashMap<>();
        members().forEach((key, row) -> sizes.merge(List.of(key.get(0), row.substring(0, 10)), 1L, Long::sum));
        return sizes;
    }

    /** {@code [segment, user]} → matching events, for members and users still short of the rule. */
    public synchronized Map<List<String>, Long> matchingEvents() {
        Map<List<String>, Long> events = new HashMap<>();
        matchingTimes.forEach((key, times) -> events.put(key, (long) times.size()));
        return events;
    }

    private Rule rule(String name) {
        return rules.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    private static LocalDate qualifiedOn(Rule rule, List<Long> times) {
        TreeSet<LocalDate> days = new TreeSet<>();
        times.forEach(t -> days.add(day(t)));
        for (LocalDate end : days) {
            LocalDate start = end.minusDays(rule.withinDays() - 1L);
            long inWindow = times.stream().map(SegmentTruth::day)
                    .filter(d -> !d.isBefore(start) && !d.isAfter(end)).count();
            if (inWindow >= rule.atLeast()) {
                return end;
            }
        }
        return null;
    }

    private static LocalDate day(long millis) {
        return LocalDate.ofInstant(Instant.ofEpochMilli(millis), ZoneOffset.UTC);
    }
}

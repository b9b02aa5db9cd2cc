package io.tally.bolts.segment;

import io.tally.bolts.event.Event;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The {@code segments} section checked and turned into {@link CompiledSegment}s once, at start. An invalid
 * definition is refused with an {@link IllegalArgumentException} whose message names the path, e.g.
 * {@code segments[1].rule.and[0]: unknown operator 'equal' (known: …)}.
 *
 * <h2>Rules</h2>
 * A rule is an <em>event predicate</em> (a user qualifies with one matching event) or a <em>threshold</em> over one:
 * <pre>
 * {at_least: N, per: day, where: PREDICATE}          N matching events within one UTC calendar day
 * {at_least: N, within_days: D, where: PREDICATE}    N matching events within D consecutive UTC calendar days
 * </pre>
 * Event predicates, each a mapping (see {@link EventPredicates}):
 * <pre>
 * {event: Order Completed}  {event: [Signed Up, Signed In]}          the counted event name, or one of a list
 * {field: properties.plan, equals: pro}        also not_equals, in: [..], exists: true|false,
 * {field: properties.price, gte: 100}          lt, lte, gt, gte (numbers), prefix: text
 * {and: [P, ...]}  {or: [P, ...]}  {not: P}
 * </pre>
 */
public final class CompiledSegments {
    private static final String KEY = "segments";
    private static final int MAX_WINDOW_DAYS = 366;
    private static final Set<String> THRESHOLD_KEYS = Set.of("at_least", "per", "within_days", "where");

    private final Map<String, CompiledSegment> byName;

    private CompiledSegments(Map<String, CompiledSegment> byName) {
        this.byName = byName;
    }

    public static CompiledSegments compile(List<SegmentDefinition> definitions) {
        Map<String, CompiledSegment> byName = new LinkedHashMap<>();
        for (CompiledSegment segment : DefinitionNames.compileAll(definitions, KEY, "{name: ..., rule: ...}", "segment",
                SegmentDefinition::name, (definition, name, key) -> rule(name, definition.rule(), key + ".rule"))) {
            byName.put(segment.name(), segment);
        }
        return new CompiledSegments(byName);
    }

    /** The segments whose event predicate this event matches, in configuration order. */
    public List<CompiledSegment> matching(Event event) {
        List<CompiledSegment> matched = new ArrayList<>(2);
        for (CompiledSegment segment : byName.values()) {
            if (segment.matches().test(event)) {
                matched.add(segment);
            }
        }
        return matched;
    }

    /** The segment of that name, or null. */
    public CompiledSegment get(String name) {
        return byName.get(name);
    }

    private static CompiledSegment rule(String name, Object rule, String key) {
        if (rule == null) {
            throw new IllegalArgumentException(key + ": is required: an event predicate or {at_least: N, per: day,"
                    + " where: ...}");
        }
        if (!(rule instanceof Map<?, ?> map) || !map.containsKey("at_least")) {
            return new CompiledSegment(name, EventPredicates.compile(rule, key), 1, 1);
        }
        for (Object k : map.keySet()) {
            if (!THRESHOLD_KEYS.contains(String.valueOf(k))) {
                throw new IllegalArgumentException(key + "." + k + ": unknown key in a threshold (known: at_least,"
                        + " per, within_days, where)");
            }
        }
        int atLeast = positiveInteger(map.get("at_least"), key + ".at_least", Integer.MAX_VALUE);
        int withinDays;
        if (map.containsKey("per") == map.containsKey("within_days")) {
            throw new IllegalArgumentException(key + ": a threshold needs exactly one of per: day or within_days: D");
        } else if (map.containsKey("per")) {
            if (!"day".equals(map.get("per"))) {
                throw new IllegalArgumentException(key + ".per: must be day, was '" + map.get("per") + "'");
            }
            withinDays = 1;
        } else {
            withinDays = positiveInteger(map.get("within_days"), key + ".within_days", MAX_WINDOW_DAYS);
        }
        if (!map.containsKey("where")) {
            throw new IllegalArgumentException(key + ".where: is required: the event predicate that is counted");
        }
        Predicate<Event> where = EventPredicates.compile(map.get("where"), key + ".where");
        return new CompiledSegment(name, where, atLeast, withinDays);
    }

    private static int positiveInteger(Object value, String key, int max) {
        if (!(value instanceof Integer number) || number < 1 || number > max) {
            throw new IllegalArgumentException(key + ": must be a positive integer" + (max < Integer.MAX_VALUE
                    ? " of at most " + max : "") + ", was " + (value instanceof String ? "'" + value + "'" : value));
        }
        return number;
    }
}

package io.tally.bolts.journey;

import io.tally.bolts.event.Event;
import io.tally.bolts.segment.DefinitionNames;
import io.tally.bolts.segment.EventPredicates;
import java.util.List;
import java.util.function.Predicate;

/**
 * The {@code retention} section checked and compiled once per task; a mistake is refused with an
 * {@link IllegalArgumentException} naming its path, e.g. {@code retention[0].start: ...}.
 */
public record CompiledRetention(String name, Predicate<Event> start, Predicate<Event> returns, int days, int weeks) {
    public static final int DEFAULT_DAYS = 30;
    public static final int DEFAULT_WEEKS = 12;
    public static final int MAX_DAYS = 366;
    public static final int MAX_WEEKS = 53;
    private static final String KEY = "retention";

    /** The event's kind for this definition: bit 1 it starts, bit 2 it returns; 0 neither. */
    public int kind(Event event) {
        return (start.test(event) ? 1 : 0) | (returns.test(event) ? 2 : 0);
    }

    /** How many days after the cohort day the last period ends. */
    public int spanDays() {
        return Math.max(days, 7 * weeks + 6);
    }

    public static List<CompiledRetention> compile(List<RetentionDefinition> definitions) {
        return List.copyOf(DefinitionNames.compileAll(definitions, KEY, "{name: ..., start: ..., return: ...}",
                "retention", RetentionDefinition::name, CompiledRetention::definition));
    }

    private static CompiledRetention definition(RetentionDefinition definition, String name, String key) {
        if (definition.start() == null) {
            throw new IllegalArgumentException(key + ".start: is required: the event predicate of the cohort's"
                    + " first event, e.g. {event: Signed Up}");
        }
        Predicate<Event> start = EventPredicates.compile(definition.start(), key + ".start");
        Predicate<Event> returns = definition.returns() == null ? event -> true
                : EventPredicates.compile(definition.returns(), key + ".return");
        return new CompiledRetention(name, start, returns,
                periods(definition.days(), DEFAULT_DAYS, MAX_DAYS, key + ".days"),
                periods(definition.weeks(), DEFAULT_WEEKS, MAX_WEEKS, key + ".weeks"));
    }

    private static int periods(Integer value, int fallback, int max, String key) {
        if (value == null) {
            return fallback;
        }
        if (value < 1 || value > max) {
            throw new IllegalArgumentException(key + ": must be 1 to " + max + ", was " + value);
        }
        return value;
    }
}

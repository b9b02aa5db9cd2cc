package io.tally.bolts.journey;

import io.tally.bolts.event.Event;
import io.tally.bolts.segment.EventPredicates;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The {@code sessions} section checked and compiled once per task; a mistake is refused with an
 * {@link IllegalArgumentException} naming its path, e.g. {@code sessions.gap_minutes: must be 1 to 1440, was 0}.
 *
 * <p>A user's sessions are kept apart per {@link #value(Event)}: with a property configured, a user active on two
 * devices at once has a session on each. The values are a fixed list, so the number of rows is bounded and a value
 * does not depend on which events arrived first.
 */
public final class CompiledSessions {
    public static final int DEFAULT_GAP_MINUTES = 30;
    public static final int MAX_GAP_MINUTES = 1440;
    public static final int MAX_VALUES = 20;
    /** The value of every session when no property is configured. */
    public static final String ALL = "all";
    /** A property value not among the configured values. */
    public static final String OTHER = "other";
    /** An event without the property (or with a value that is not text, a number or a boolean). */
    public static final String NONE = "none";
    private static final String KEY = "sessions";

    private final long gapMillis;
    private final Function<Event, Object> property;
    private final Set<String> values;

    private CompiledSessions(long gapMillis, Function<Event, Object> property, Set<String> values) {
        this.gapMillis = gapMillis;
        this.property = property;
        this.values = values;
    }

    public static CompiledSessions compile(SessionDefinition definition) {
        int gap = DEFAULT_GAP_MINUTES;
        if (definition.gapMinutes() != null) {
            gap = definition.gapMinutes();
            if (gap < 1 || gap > MAX_GAP_MINUTES) {
                throw new IllegalArgumentException(KEY + ".gap_minutes: must be 1 to " + MAX_GAP_MINUTES + ", was "
                        + gap);
            }
        }
        if (definition.property() == null) {
            if (definition.values() != null) {
                throw new IllegalArgumentException(KEY + ".values: only with sessions.property (the field the values"
                        + " are of)");
            }
            return new CompiledSessions(gap * 60_000L, null, Set.of());
        }
        Function<Event, Object> property = EventPredicates.field(definition.property(), KEY + ".property");
        List<String> listed = definition.values();
        if (listed == null || listed.isEmpty() || listed.size() > MAX_VALUES) {
            throw new IllegalArgumentException(KEY + ".values: with a property, must list 1 to " + MAX_VALUES
                    + " values kept apart (others count as '" + OTHER + "'), was "
                    + (listed == null ? "missing" : listed.size() + " values"));
        }
        Set<String> values = new HashSet<>();
        for (int i = 0; i < listed.size(); i++) {
            String value = listed.get(i);
            String key = KEY + ".values[" + i + "]";
            if (value == null || value.isBlank() || value.length() > 100) {
                throw new IllegalArgumentException(key + ": must be a text of 1 to 100 characters, was "
                        + (value == null ? "missing" : "'" + value + "'"));
            }
            if (value.equals(OTHER) || value.equals(NONE) || !values.add(value)) {
                throw new IllegalArgumentException(key + ": '" + value + "' is "
                        + (values.contains(value) ? "listed twice" : "reserved (unlisted and missing values)"));
            }
        }
        return new CompiledSessions(gap * 60_000L, property, Set.copyOf(values));
    }

    /** How long without an event ends a session: events at most this far apart are in one session. */
    public long gapMillis() {
        return gapMillis;
    }

    /** Which of the user's session streams {@code event} belongs to: a listed value, "other", "none" or "all". */
    public String value(Event event) {
        if (property == null) {
            return ALL;
        }
        Object value = property.apply(event);
        if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
            return NONE;
        }
        String text = value.toString();
        return values.contains(text) ? text : OTHER;
    }
}

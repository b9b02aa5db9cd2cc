package io.tally.dashboard;

import io.tally.query.Granularity;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parameters of one named query, read and checked: each is known to the query, has the form it needs, and
 * the message of a refusal names the parameter and what it should have been.
 */
final class Params {
    /** Longer names are refused: Tally's tables hold names from events, not essays. */
    static final int MAX_NAME_LENGTH = 200;
    private static final Pattern LAST = Pattern.compile("(\\d{1,4})([mhd])");

    private final String query;
    private final Map<String, List<String>> values;
    private final Clock clock;

    Params(String query, Map<String, List<String>> values, Set<String> known, Clock clock) {
        this.query = query;
        this.values = values;
        this.clock = clock;
        for (Map.Entry<String, List<String>> entry : values.entrySet()) {
            if (!known.contains(entry.getKey())) {
                throw new BadRequest("unknown parameter '" + printable(entry.getKey()) + "' for " + query
                        + " (known: " + known.stream().sorted().toList() + ")");
            }
            if (entry.getValue().size() > 1) {
                throw new BadRequest("parameter '" + entry.getKey() + "' given " + entry.getValue().size()
                        + " times; give it once");
            }
        }
    }

    String text(String name, String fallback) {
        List<String> given = values.get(name);
        return given == null || given.get(0).isEmpty() ? fallback : given.get(0);
    }

    /**
     * An event, property, segment or user name: it is only ever a bound value, so any text is safe, but control
     * characters and overlong names are refused as the mistakes they are.
     */
    String name(String name, String fallback) {
        String value = text(name, fallback);
        if (value == null) {
            throw new BadRequest(query + " needs the parameter '" + name + "'");
        }
        if (value.length() > MAX_NAME_LENGTH) {
            throw new BadRequest("'" + name + "' is " + value.length() + " characters long; at most "
                    + MAX_NAME_LENGTH);
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new BadRequest("'" + name + "' holds a control character (U+"
                        + String.format("%04X", (int) value.charAt(i)) + ")");
            }
        }
        return value;
    }

    int integer(String name, int fallback, int min, int max) {
        String value = text(name, null);
        if (value == null) {
            return fallback;
        }
        try {
            int number = Integer.parseInt(value);
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // refused below, with the range
        }
        throw new BadRequest("'" + name + "' must be a whole number from " + min + " to " + max + ", was '"
                + printable(value) + "'");
    }

    boolean flag(String name) {
        String value = text(name, "false");
        if (!value.equals("true") && !value.equals("false")) {
            throw new BadRequest("'" + name + "' must be true or false, was '" + printable(value) + "'");
        }
        return Boolean.parseBoolean(value);
    }

    Granularity granularity(Granularity fallback) {
        String value = text("granularity", null);
        if (value == null) {
            return fallback;
        }
        for (Granularity g : Granularity.values()) {
            if (g.name().equalsIgnoreCase(value)) {
                return g;
            }
        }
        throw new BadRequest("'granularity' must be minute, hour or day, was '" + printable(value) + "'");
    }

    /** {@code [from, to)}: {@code to} defaults to now; {@code from} to {@code to} less {@code last} (e.g. 2h, 30d). */
    Range range(Duration fallback) {
        Instant to = time("to", Instant.now(clock));
        String last = text("last", null);
        if (last != null && values.containsKey("from")) {
            throw new BadRequest("give 'from' or 'last', not both");
        }
        Duration span = fallback;
        if (last != null) {
            Matcher m = LAST.matcher(last);
            if (!m.matches()) {
                throw new BadRequest("'last' must be a number and m, h or d (e.g. 90m, 48h, 30d), was '"
                        + printable(last) + "'");
            }
            long n = Long.parseLong(m.group(1));
            span = switch (m.group(2)) {
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        Instant from = time("from", to.minus(span));
        if (!to.isAfter(from)) {
            throw new BadRequest("empty range: 'to' (" + to + ") must be after 'from' (" + from + ")");
        }
        return new Range(from, to);
    }

    record Range(Instant from, Instant to) {
    }

    private Instant time(String name, Instant fallback) {
        String text = text(name, null);
        if (text == null) {
            return fallback;
        }
        try {
            if (text.length() == 10) {
                return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            if (text.endsWith("Z") || text.matches(".*[+-]\\d\\d:\\d\\d$")) {
                return OffsetDateTime.parse(text).toInstant();
            }
            return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new BadRequest("'" + name + "' is not a time: use 2026-11-20, 2026-11-20T14:00 (UTC) or"
                    + " 2026-11-20T14:00:00Z, was '" + printable(text) + "'");
        }
    }

    /** Echoed text is cut short and stripped of control characters, so a message cannot be used to forge lines. */
    static String printable(String text) {
        String cut = text.length() > 60 ? text.substring(0, 60) + "…" : text;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }
}

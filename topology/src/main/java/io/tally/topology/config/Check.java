package io.tally.topology.config;

import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * One rule a key's value must follow: what the reference says is allowed, and the problem an operator reads when a
 * value breaks it. The value is shown as the key shows it, so a secret's never appears.
 *
 * @param allowed the rule as the reference states it, e.g. {@code > 0}
 * @param holds whether a value follows it
 * @param problem the message after the key's name, given the value as it may be shown
 */
public record Check<T>(String allowed, Predicate<T> holds, java.util.function.Function<String, String> problem) {

    /** Greater than zero. */
    public static <N extends Number> Check<N> positive() {
        return new Check<>("> 0", n -> n.longValue() > 0, shown -> "must be positive, was " + shown);
    }

    /**
     * Greater than zero, worded for counts of things the topology runs (workers, tasks, batches); kept apart from
     * {@link #positive()} because operators' scripts match the wording.
     */
    public static <N extends Number> Check<N> positiveInteger() {
        return new Check<>("> 0", n -> n.longValue() > 0, shown -> "must be a positive integer, was " + shown);
    }

    public static <N extends Number> Check<N> notNegative() {
        return new Check<>(">= 0", n -> n.longValue() >= 0, shown -> "must not be negative, was " + shown);
    }

    /** From {@code min} to {@code max}, both included; {@code unit} (may be empty) follows the range in the message. */
    public static <N extends Number> Check<N> range(long min, long max, String unit) {
        String bounds = min + " to " + max;
        return new Check<>(bounds, n -> n.longValue() >= min && n.longValue() <= max,
                shown -> "must be from " + bounds + (unit.isEmpty() ? "" : " (" + unit + ")") + ", was " + shown);
    }

    /** At least {@code min}; {@code meaning} says what the least value stands for, e.g. {@code one second}. */
    public static <N extends Number> Check<N> atLeast(long min, String meaning) {
        return new Check<>(">= " + min, n -> n.longValue() >= min,
                shown -> "must be at least " + min + " (" + meaning + "), was " + shown);
    }

    /** A TCP port, or 0 for any free one. */
    public static Check<Integer> port() {
        return new Check<>("0 to 65535 (0: any free port)", p -> p >= 0 && p <= 65_535,
                shown -> "must be a port (1-65535, 0: any free one), was " + shown);
    }

    /** One of {@code values}, whatever the case; keys with this check are upper-cased when read. */
    public static Check<String> oneOfIgnoringCase(List<String> values) {
        return new Check<>("one of " + String.join(", ", values),
                s -> values.contains(s.trim().toUpperCase(Locale.ROOT)),
                shown -> "must be one of " + values + ", was " + shown);
    }

    /** Matches {@code regex}, described to the operator as {@code description}. */
    public static Check<String> matches(String regex, String description) {
        return new Check<>(description, s -> s.matches(regex), shown -> "must be " + description + ", was " + shown);
    }
}

package io.tally.bolts.segment;

import io.tally.bolts.event.Event;
import java.util.function.Predicate;

/**
 * A segment's rule ready to run: a user is a member once {@code atLeast} events matching {@code matches} fall within
 * {@code withinDays} consecutive UTC calendar days. A plain event rule is {@code atLeast = 1, withinDays = 1}: one
 * matching event, ever; {@code per: day} is {@code withinDays = 1}.
 */
public record CompiledSegment(String name, Predicate<Event> matches, int atLeast, int withinDays) {
}

package io.tally.bolts.event;

/**
 * Event names Tally keeps for itself. Totals and active users are counted under {@link #ALL_EVENTS} in the same
 * tables as each event's own counts, so an event of that name would be counted into the totals twice.
 */
public final class EventNames {
    /** The name the all-events totals are counted under (the count tables' {@code event_name}). */
    public static final String ALL_EVENTS = "*";

    private EventNames() {
    }

    /** Whether no event may be counted under {@code name}. */
    public static boolean isReserved(String name) {
        return ALL_EVENTS.equals(name);
    }
}

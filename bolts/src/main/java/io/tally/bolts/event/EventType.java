package io.tally.bolts.event;

import java.util.Locale;

/**
 * The Segment call types, and the name each is counted under when it has no event name of its own.
 *
 * <p>A {@code track} call is counted under its {@code event}. The other calls are counted under a fixed
 * name, so "how many page views" is one row whatever the page; a page or screen's own {@code name}
 * stays available as the property {@code name} for breakdowns.
 */
public enum EventType {
    TRACK(null),
    PAGE("Page Viewed"),
    SCREEN("Screen Viewed"),
    IDENTIFY("Identify"),
    GROUP("Group"),
    ALIAS("Alias");

    private final String countName;

    EventType(String countName) {
        this.countName = countName;
    }

    /** The fixed counting name; null for {@link #TRACK}, whose calls name themselves. */
    public String countName() {
        return countName;
    }

    /** The Segment {@code type} string, e.g. {@code track}. */
    public String segmentName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type named by a Segment {@code type} string, or null if there is none. */
    public static EventType fromSegmentName(String type) {
        return switch (type) {
            case "track" -> TRACK;
            case "page" -> PAGE;
            case "screen" -> SCREEN;
            case "identify" -> IDENTIFY;
            case "group" -> GROUP;
            case "alias" -> ALIAS;
            default -> null;
        };
    }
}

package io.tally.it.support;

import io.tally.local.sample.GeneratedEvent;
import java.util.HashMap;
import java.util.Map;

/**
 * The counts Tally must produce, computed from what the generator says it generated, never by running
 * any of Tally's own parsing or aggregation code.
 */
public final class Truth {
    private final Map<HourKey, Long> hourly = new HashMap<>();
    private long events;

    public void add(GeneratedEvent event) {
        hourly.merge(HourKey.of(event.countName(), event.eventTimeMillis()), 1L, Long::sum);
        events++;
    }

    public Map<HourKey, Long> hourly() {
        return Map.copyOf(hourly);
    }

    public long events() {
        return events;
    }
}

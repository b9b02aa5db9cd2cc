package io.tally.it.support;

import io.tally.local.sample.EventGenerator;
import io.tally.local.sample.GeneratedEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The counts Tally must produce, computed from what the generator says it generated, never by running
 * any of Tally's own parsing or aggregation code.
 */
public final class Truth {
    private final Map<HourKey, Long> hourly = new HashMap<>();
    private long events;

    /** The next {@code count} events of {@code generator}, each added to this truth. */
    public List<GeneratedEvent> generate(EventGenerator generator, int count) {
        List<GeneratedEvent> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            GeneratedEvent event = generator.next();
            add(event);
            events.add(event);
        }
        return events;
    }

    public synchronized void add(GeneratedEvent event) {
        hourly.merge(HourKey.of(event.countName(), event.eventTimeMillis()), 1L, Long::sum);
        events++;
    }

    public synchronized Map<HourKey, Long> hourly() {
        return Map.copyOf(hourly);
    }

    public synchronized long events() {
        return events;
    }
}

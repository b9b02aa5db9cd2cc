package io.tally.it.support;

import io.tally.local.sample.EventGenerator;
import io.tally.local.sample.GeneratedEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Generated events as producers deliver them: now and then a retry, the copy of an event sent before. */
public final class ProducerRetries {
    private ProducerRetries() {
    }

    /**
     * {@code count} new events, with about 3% of them followed by a copy of an earlier one (same messageId, so later
     * and often on another partition). {@code sent} collects the new events, the candidates for later copies.
     */
    public static List<GeneratedEvent> next(EventGenerator generator, Random random, List<GeneratedEvent> sent,
            int count) {
        List<GeneratedEvent> events = new ArrayList<>(count);
        synchronized (sent) {
            for (int i = 0; i < count; i++) {
                GeneratedEvent event = generator.next();
                events.add(event);
                sent.add(event);
                if (random.nextInt(100) < 3) {
                    events.add(sent.get(random.nextInt(sent.size())));
                }
            }
        }
        return events;
    }
}

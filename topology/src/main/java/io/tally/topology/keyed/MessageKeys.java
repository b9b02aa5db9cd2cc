package io.tally.topology.keyed;

import io.tally.bolts.event.Event;

/**
 * The de-duplication key of an accepted event: its {@code messageId}. An event without one cannot be recognised when
 * it comes again, so it gets its source coordinates instead and always counts.
 */
public final class MessageKeys {
    private MessageKeys() {
    }

    public static String of(Event event, String source, long position) {
        String messageId = event.messageId();
        return messageId != null && !messageId.isEmpty() ? messageId : "\u0000" + source + "@" + position;
    }
}

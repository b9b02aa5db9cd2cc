package io.tally.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tally.local.sample.GeneratedEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Set;

/**
 * Produced events as Tally counts them, for the truths computed by brute force: each messageId once (a repeat is a
 * producer's duplicate), its JSON read with a plain ObjectMapper, never with Tally's parser.
 */
final class ProducedOnce {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Set<String> messageIds = new HashSet<>();

    /** The event's JSON the first time its messageId is produced; null for a duplicate. */
    JsonNode first(GeneratedEvent event) {
        if (!messageIds.add(event.messageId())) {
            return null;
        }
        try {
            return JSON.readTree(event.json());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

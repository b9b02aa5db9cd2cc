package io.tally.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

/**
 * What the counts must add up to when the same events can come from more than one source (the Kafka topic of an
 * earlier run and the {@code --s3} sample bucket hold the same sample): each {@code messageId} once, as the
 * de-duplication stage keeps it, and each record without one (or that is not JSON) once.
 */
final class DistinctRecords {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Set<String> messageIds = new HashSet<>();
    private long withoutId;

    void add(byte[] record) {
        String id = messageId(record);
        if (id == null) {
            withoutId++;
        } else {
            messageIds.add(id);
        }
    }

    long total() {
        return messageIds.size() + withoutId;
    }

    private static String messageId(byte[] record) {
        try {
            JsonNode id = JSON.readTree(record).get("messageId");
            return id != null && id.isTextual() && !id.asText().isEmpty() ? id.asText() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}

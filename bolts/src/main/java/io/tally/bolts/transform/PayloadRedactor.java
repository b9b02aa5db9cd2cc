package io.tally.bolts.transform;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Takes the properties the transforms drop ({@code drop_properties}) out of a raw record before it is stored with
 * its rejection, so a property dropped because it holds a secret is not kept for a record that was rejected.
 *
 * <p>A record that parses as a JSON object is stored re-serialized (compact, in its own order) without those
 * names in its {@code properties}; a repeated {@code properties} keeps only its last value, as ingest reads it. A
 * record that does not parse (or is larger than {@code maxParseBytes}) cannot have a property taken out: it is
 * stored as it came unless its text names a dropped property, in which case its payload is withheld. A name
 * written with JSON escapes in a record that does not parse is not recognised.
 */
public final class PayloadRedactor {
    /** What is stored in place of a payload that may hold a dropped property but could not be redacted. */
    public static final String WITHHELD = "(withheld: the record does not parse as a JSON object, so the properties"
            + " the transforms drop could not be taken out of it, and its text names one of them)";

    private final Set<String> droppedNames;
    private final int maxParseBytes;
    private final ObjectMapper json = JsonMapper.builder()
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** The payload to store; {@code withheld} when it is {@link #WITHHELD} rather than the record's own text. */
    public record Redacted(byte[] payload, boolean withheld) {
    }

    public PayloadRedactor(Set<String> droppedNames, int maxParseBytes) {
        this.droppedNames = Set.copyOf(droppedNames);
        this.maxParseBytes = maxParseBytes;
    }

    /** Whether any property is dropped, so payloads need redacting at all. */
    public boolean active() {
        return !droppedNames.isEmpty();
    }

    public Redacted redact(byte[] payload) {
        if (!active()) {
            return new Redacted(payload, false);
        }
        ObjectNode record = parseObject(payload);
        if (record != null) {
            if (record.get("properties") instanceof ObjectNode properties) {
                properties.remove(droppedNames);
            }
            try {
                return new Redacted(json.writeValueAsBytes(record), false);
            } catch (JsonProcessingException e) {
                return withheld(); // not expected of a tree just parsed; the payload is still not stored unredacted
            }
        }
        return namesADroppedProperty(payload) ? withheld() : new Redacted(payload, false);
    }

    private static Redacted withheld() {
        return new Redacted(WITHHELD.getBytes(StandardCharsets.UTF_8), true);
    }

    private ObjectNode parseObject(byte[] payload) {
        if (payload.length > maxParseBytes) {
            return null;
        }
        try {
            JsonNode node = json.readTree(payload);
            return node instanceof ObjectNode object ? object : null;
        } catch (IOException notJson) {
            return null;
        }
    }

    private boolean namesADroppedProperty(byte[] payload) {
        String text = new String(payload, StandardCharsets.UTF_8);
        return droppedNames.stream().anyMatch(text::contains);
    }
}

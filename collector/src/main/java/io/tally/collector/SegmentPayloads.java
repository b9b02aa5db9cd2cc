package io.tally.collector;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Turns a request body of Segment's Tracking API into the records Tally's ingest reads: one JSON object per
 * message, with its {@code type} (from the path for single calls), the server's {@code receivedAt} (any the client
 * sent is replaced: the ingest trusts it to correct the client's clock), the client's {@code sentAt} (the batch's,
 * unless the message has its own) and the batch's {@code context} entries the message lacks. The write key never
 * reaches Kafka. Thread-safe.
 */
final class SegmentPayloads {
    private final ObjectMapper json = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private final int maxMessageBytes;
    private final int maxBatchBytes;

    SegmentPayloads(int maxMessageBytes, int maxBatchBytes) {
        this.maxMessageBytes = maxMessageBytes;
        this.maxBatchBytes = maxBatchBytes;
    }

    /** A parsed request: the write key its body names (null if none) and its messages as records. */
    record Parsed(String bodyWriteKey, List<EventRecord> records) {
    }

    /**
     * The body as sent, uncompressed when {@code Content-Encoding} says gzip. Decompression stops one byte past the
     * batch limit, so a gzip bomb costs no more than a body at the limit.
     */
    byte[] decode(String contentEncoding, InputStream body) throws RequestRefused, IOException {
        String encoding = contentEncoding == null ? "identity" : contentEncoding.strip().toLowerCase(Locale.ROOT);
        switch (encoding) {
            case "", "identity" -> {
                return readAtMost(body, "body");
            }
            case "gzip", "x-gzip" -> {
                try (InputStream inflated = new GZIPInputStream(body)) {
                    return readAtMost(inflated, "uncompressed body");
                } catch (ZipException | java.io.EOFException e) {
                    throw new RequestRefused(Refusal.INVALID_GZIP, "Content-Encoding is gzip but the body is not: "
                            + e.getMessage());
                }
            }
            default -> throw new RequestRefused(Refusal.UNSUPPORTED_ENCODING, "Content-Encoding '" + contentEncoding
                    + "' is not supported; send gzip or no encoding");
        }
    }

    private byte[] readAtMost(InputStream in, String what) throws IOException, RequestRefused {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(maxBatchBytes, 64 * 1024));
        byte[] chunk = new byte[16 * 1024];
        int read;
        while ((read = in.read(chunk)) >= 0) {
            out.write(chunk, 0, read);
            if (out.size() > maxBatchBytes) {
                throw batchTooLarge("the " + what + " has more than " + maxBatchBytes + " bytes");
            }
        }
        return out.toByteArray();
    }

    RequestRefused batchTooLarge(String detail) {
        return new RequestRefused(Refusal.BATCH_TOO_LARGE, detail + ", the limit per request (batch_limit "
                + maxBatchBytes + " bytes)");
    }

    Parsed parse(Endpoint endpoint, byte[] body, Instant receivedAt) throws RequestRefused {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException e) {
            String problem = e.getOriginalMessage();
            if (problem != null && problem.contains("UTF-8")) {
                throw new RequestRefused(Refusal.INVALID_UTF8, "the body is not UTF-8: " + problem + location(e));
            }
            throw new RequestRefused(Refusal.MALFORMED_JSON, "the body is not valid JSON: " + problem + location(e));
        } catch (IOException e) {
            throw new RequestRefused(Refusal.MALFORMED_JSON, "the body is not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new RequestRefused(Refusal.MALFORMED_JSON, "the body must be a JSON object");
        }
        ObjectNode request = (ObjectNode) root;
        String writeKey = request.path("writeKey").isTextual() ? request.get("writeKey").asText() : null;
        List<ObjectNode> messages = endpoint.isBatch() ? batchMessages(request) : List.of(request);
        JsonNode batchSentAt = endpoint.isBatch() ? request.get("sentAt") : null;
        JsonNode batchContext = endpoint.isBatch() ? request.get("context") : null;
        TextNode received = new TextNode(Instant.ofEpochMilli(receivedAt.toEpochMilli()).toString());
        List<EventRecord> records = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            ObjectNode message = messages.get(i);
            message.remove("writeKey");
            if (!endpoint.isBatch()) {
                message.put("type", endpoint.messageType());
            }
            if (batchSentAt != null && !batchSentAt.isNull() && !message.hasNonNull("sentAt")) {
                message.set("sentAt", batchSentAt);
            }
            if (batchContext instanceof ObjectNode shared) {
                addMissingContext(message, shared);
            }
            message.set("receivedAt", received);
            byte[] value = serialize(message);
            if (value.length > maxMessageBytes) {
                throw new RequestRefused(Refusal.MESSAGE_TOO_LARGE, (endpoint.isBatch() ? "message " + i
                        + " of the batch" : "the message") + " has " + value.length + " bytes as written"
                        + " (with receivedAt), more than the limit per message (message_limit " + maxMessageBytes
                        + " bytes)");
            }
            records.add(new EventRecord(userKey(message), value));
        }
        return new Parsed(writeKey, records);
    }

    private static List<ObjectNode> batchMessages(ObjectNode request) throws RequestRefused {
        JsonNode batch = request.get("batch");
        if (batch == null || !batch.isArray()) {
            throw new RequestRefused(Refusal.MALFORMED_JSON, "a batch needs 'batch': an array of message objects");
        }
        List<ObjectNode> messages = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            if (!(batch.get(i) instanceof ObjectNode message)) {
                throw new RequestRefused(Refusal.MALFORMED_JSON, "batch[" + i + "] is not a JSON object");
            }
            messages.add(message);
        }
        return messages;
    }

    /** The batch's context entries (Segment's libraries put their own name and version there) the message lacks. */
    private static void addMissingContext(ObjectNode message, ObjectNode shared) {
        JsonNode own = message.get("context");
        if (own == null || own.isNull()) {
            message.set("context", shared.deepCopy());
        } else if (own instanceof ObjectNode context) {
            for (Map.Entry<String, JsonNode> entry : shared.properties()) {
                if (!context.has(entry.getKey())) {
                    context.set(entry.getKey(), entry.getValue().deepCopy());
                }
            }
        }
    }

    private static byte[] userKey(ObjectNode message) {
        String user = identifier(message.get("userId"));
        if (user == null) {
            user = identifier(message.get("anonymousId"));
        }
        return user == null ? null : user.getBytes(StandardCharsets.UTF_8);
    }

    private static String identifier(JsonNode id) {
        if (id == null || !(id.isTextual() || id.isIntegralNumber())) {
            return null;
        }
        String text = id.asText().strip();
        return text.isEmpty() ? null : text;
    }

    private byte[] serialize(ObjectNode message) {
        try {
            return json.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed JSON tree could not be written back", e);
        }
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " (at byte " + e.getLocation().getByteOffset() + ")";
    }
}

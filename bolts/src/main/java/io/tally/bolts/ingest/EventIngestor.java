package io.tally.bolts.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.tally.bolts.event.Event;
import io.tally.bolts.event.EventNames;
import io.tally.bolts.event.EventType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns one raw record into an accepted {@link Event} or a {@link Rejection} with one reason; it never throws
 * for bad input. One scan checks the bytes (a second, decoding one only for non-ASCII records), parsing streams over
 * them once, and Jackson's read constraints stop oversized strings and deep nesting while parsing, so a hostile
 * record costs no more than its (capped) size. Properties, context and traits are checked on that pass but built
 * only when something looks at them ({@link LazyJsonObject}).
 *
 * <p>Event time and the checks that hold it to the receipt time and to Tally's own clock: {@link EventTimes}.
 *
 * <p>Records are UTF-8, checked before parsing: {@link RecordEncoding}.
 *
 * <p>Not thread-safe: one instance per task.
 */
public final class EventIngestor {
    private final IngestSettings settings;
    private final JsonFactory json;
    private final RecordEncoding encoding = new RecordEncoding();
    private final EventTimes times;
    /**
     * One instance of each event name accepted (up to {@link #MAX_CANONICAL_EVENT_NAMES} names of up to
     * {@link #MAX_CANONICAL_NAME_LENGTH} characters, at most a few megabytes): every count and claim key holds
     * the name, and comparing equal keys then compares one reference instead of the names' bytes. That comparison was
     * a tenth of the ingest task's time when counting only.
     */
    private final Map<String, String> canonicalEventNames = new HashMap<>();
    private static final int MAX_CANONICAL_EVENT_NAMES = 10_000;
    private static final int MAX_CANONICAL_NAME_LENGTH = 128;

    public EventIngestor(IngestSettings settings) {
        this(settings, null);
    }

    /** @param backfill the span a backfill topology counts, or null */
    public EventIngestor(IngestSettings settings, BackfillSpan backfill) {
        this.settings = settings;
        this.times = new EventTimes(settings, backfill);
        this.json = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(settings.maxDepth())
                        .maxStringLength(settings.maxStringLength())
                        .maxNameLength(settings.maxStringLength())
                        .maxNumberLength(64)
                        .maxDocumentLength(settings.maxRecordBytes())
                        .build())
                .build();
    }

    /** {@link #ingest(byte[], String, long, long, long)} of a record read when it was received. */
    public IngestResult ingest(byte[] payload, String source, long position, long receivedAtMillis) {
        return ingest(payload, source, position, receivedAtMillis, receivedAtMillis);
    }

    /**
     * @param receivedAtMillis when the record reached Tally's input as its source says (a Kafka record's timestamp,
     *     a file's read time)
     * @param readAtMillis when Tally first read the record's batch, by Tally's clock (the same on every replay)
     */
    public IngestResult ingest(byte[] payload, String source, long position, long receivedAtMillis,
            long readAtMillis) {
        try {
            return new IngestResult.Accepted(parse(payload, receivedAtMillis, readAtMillis));
        } catch (InvalidRecord invalid) {
            return new IngestResult.Rejected(reject(invalid.reason, invalid.detail, payload, source, position,
                    storedReceipt(receivedAtMillis, readAtMillis)));
        }
    }

    /**
     * The receipt time a rejection is stored (and counted per hour) under: the source's, unless that is further ahead
     * of the read time than the tolerance, then the read time, so no sender's clock writes into a future hour.
     */
    public long storedReceipt(long receivedAtMillis, long readAtMillis) {
        return times.storedReceipt(receivedAtMillis, readAtMillis);
    }

    /** A rejection for a record that never reached (or escaped) the parser, with the same payload capping. */
    public Rejection reject(RejectReason reason, String detail, byte[] payload, String source, long position,
            long receivedAtMillis) {
        int kept = Math.min(payload.length, settings.rejectPayloadBytes());
        return new Rejection(reason, detail, source, position, receivedAtMillis,
                new String(payload, 0, kept, StandardCharsets.UTF_8), kept < payload.length);
    }

    private Event parse(byte[] payload, long ingestReceivedAt, long readAt) throws InvalidRecord {
        if (isBlank(payload)) {
            throw new InvalidRecord(RejectReason.EMPTY_RECORD, "the record is empty");
        }
        if (payload.length > settings.maxRecordBytes()) {
            throw new InvalidRecord(RejectReason.TOO_LARGE, "the record has " + payload.length
                    + " bytes, more than the limit of " + settings.maxRecordBytes());
        }
        encoding.check(payload);
        Fields f = new Fields();
        try (JsonParser p = json.createParser(payload)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidRecord(RejectReason.NOT_AN_OBJECT, "the record is JSON but not an object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                readField(p, name, value, f, payload);
            }
            if (p.nextToken() != null) {
                throw new InvalidRecord(RejectReason.INVALID_JSON, "content follows the end of the JSON object");
            }
        } catch (StreamConstraintsException e) {
            throw constraint(e);
        } catch (JsonParseException e) {
            // Encoding errors never reach here: RecordEncoding refused them before Jackson saw the bytes.
            throw new InvalidRecord(RejectReason.INVALID_JSON, e.getOriginalMessage() + locationOf(e));
        } catch (IOException e) {
            throw new InvalidRecord(RejectReason.INVALID_JSON, String.valueOf(e.getMessage()));
        }
        return toEvent(f, ingestReceivedAt, readAt);
    }

    private Event toEvent(Fields f, long ingestReceivedAt, long readAt) throws InvalidRecord {
        if (f.type == null) {
            throw new InvalidRecord(RejectReason.MISSING_TYPE, "the record has no 'type'");
        }
        EventType type = EventType.fromSegmentName(f.type);
        if (type == null) {
            throw new InvalidRecord(RejectReason.UNKNOWN_TYPE, "'type' is '" + f.type
                    + "'; expected track, page, screen, identify, group or alias");
        }
        if (f.userId == null && f.anonymousId == null) {
            throw new InvalidRecord(RejectReason.MISSING_USER, "the record has neither 'userId' nor 'anonymousId'");
        }
        String countName = type.countName();
        if (type == EventType.TRACK) {
            if (f.event == null) {
                throw new InvalidRecord(RejectReason.MISSING_EVENT_NAME, "a track call needs an 'event' name");
            }
            if (EventNames.isReserved(f.event)) {
                throw new InvalidRecord(RejectReason.RESERVED_EVENT_NAME, "the event name '" + f.event
                        + "' is reserved: the totals of all events are counted under it");
            }
            countName = f.event;
        }
        Map<String, Object> properties = f.properties;
        if (f.name != null && (type == EventType.PAGE || type == EventType.SCREEN)) {
            // The page's name is a property too, unless the properties name it themselves.
            properties = f.properties == null ? Map.of("name", f.name) : f.properties.withEntryIfAbsent("name", f.name);
        }
        long received = f.receivedAt != null ? f.receivedAt : ingestReceivedAt;
        long eventTime = times.eventTime(received, f.receivedAt != null, f.sentAt, f.originalTimestamp, f.timestamp,
                readAt);
        if (type == EventType.TRACK) {
            countName = canonicalEventName(countName); // accepted: the other names are constants
        }
        return new Event(type, countName, f.messageId, f.userId, f.anonymousId, eventTime, received, properties,
                f.context, f.traits);
    }

    private void readField(JsonParser p, String name, JsonToken value, Fields f, byte[] payload)
            throws IOException, InvalidRecord {
        switch (name) {
            case "type" -> f.type = text(p, value, name);
            case "messageId" -> f.messageId = messageId(identifier(p, value, name));
            case "userId" -> f.userId = identifier(p, value, name);
            case "anonymousId" -> f.anonymousId = identifier(p, value, name);
            case "event" -> f.event = nonBlank(text(p, value, name));
            case "name" -> f.name = nonBlank(text(p, value, name));
            case "properties" -> f.properties = object(p, value, name, true, payload);
            case "traits" -> f.traits = object(p, value, name, true, payload);
            case "context" -> f.context = object(p, value, name, false, payload);
            case "timestamp" -> f.timestamp = timestamp(p, value, name);
            case "originalTimestamp" -> f.originalTimestamp = timestamp(p, value, name);
            case "sentAt" -> f.sentAt = timestamp(p, value, name);
            case "receivedAt" -> f.receivedAt = timestamp(p, value, name);
            default -> p.skipChildren();
        }
    }

    /**
     * The producer's id, held to what de-duplication can trust: a record without an id is keyed by its source
     * and position behind a U+0000 (see {@code MessageIds}), so an id with a control character could name another
     * record's key and have that record dropped as its duplicate; and every id is kept for the whole window.
     */
    private String messageId(String id) throws InvalidRecord {
        if (id == null) {
            return null;
        }
        for (int i = 0; i < id.length(); i++) {
            if (Character.isISOControl(id.charAt(i))) {
                throw new InvalidRecord(RejectReason.INVALID_MESSAGE_ID, String.format(Locale.ROOT,
                        "'messageId' has the control character U+%04X at index %d; ids are printable text",
                        (int) id.charAt(i), i));
            }
        }
        if (id.length() > settings.maxMessageIdLength()) {
            throw new InvalidRecord(RejectReason.MESSAGE_ID_TOO_LONG, "'messageId' has " + id.length()
                    + " characters, more than the limit of " + settings.maxMessageIdLength());
        }
        return id;
    }

    /** Only names of accepted events, and only short ones, are kept, so hostile records cannot fill the memory. */
    private String canonicalEventName(String name) {
        String known = canonicalEventNames.get(name);
        if (known != null) {
            return known;
        }
        if (canonicalEventNames.size() < MAX_CANONICAL_EVENT_NAMES && name.length() <= MAX_CANONICAL_NAME_LENGTH) {
            canonicalEventNames.put(name, name);
        }
        return name;
    }

    private static String text(JsonParser p, JsonToken value, String field) throws IOException, InvalidRecord {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.VALUE_STRING) {
            p.skipChildren();
            throw new InvalidRecord(RejectReason.BAD_FIELD_TYPE, "'" + field + "' must be a string, was " + describe(value));
        }
        return p.getText();
    }

    /** Ids may be strings or integers (some SDKs send numeric user ids); blank means absent. */
    private static String identifier(JsonParser p, JsonToken value, String field) throws IOException, InvalidRecord {
        if (value == JsonToken.VALUE_NUMBER_INT) {
            return p.getText();
        }
        return nonBlank(text(p, value, field));
    }

    /**
     * Checks an object value as the parser passes over it, without building it: its entries are counted and every
     * string in it, at any depth, is held to the length limit (the parser itself holds nesting, names and numbers to
     * theirs). The event gets a {@link LazyJsonObject} over the object's bytes.
     */
    private LazyJsonObject object(JsonParser p, JsonToken value, String field, boolean counted, byte[] payload)
            throws IOException, InvalidRecord {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            throw new InvalidRecord(RejectReason.BAD_FIELD_TYPE, "'" + field + "' must be an object, was " + describe(value));
        }
        int start = (int) p.currentTokenLocation().getByteOffset();
        int entries = 0;
        int depth = 1;
        while (depth > 0) {
            JsonToken token = p.nextToken();
            if (token == null) {
                throw new InvalidRecord(RejectReason.INVALID_JSON, "the record ends inside '" + field + "'");
            }
            switch (token) {
                case START_OBJECT, START_ARRAY -> depth++;
                case END_OBJECT, END_ARRAY -> depth--;
                case FIELD_NAME -> entries += depth == 1 ? 1 : 0;
                // Jackson reads a long integer through its text, under the string limit, when the value is built.
                case VALUE_STRING, VALUE_NUMBER_INT -> {
                    if (p.getTextLength() > settings.maxStringLength()) {
                        throw new InvalidRecord(RejectReason.STRING_TOO_LONG, "a value in '" + field + "' has "
                                + p.getTextLength() + " characters, more than the limit of "
                                + settings.maxStringLength());
                    }
                }
                default -> {
                }
            }
        }
        int end = (int) p.currentLocation().getByteOffset();
        if (counted && entries > settings.maxProperties()) {
            // A repeated name is one entry, as in the built map; told apart only when there may be too many.
            int distinct = distinctNames(payload, start, end);
            if (distinct > settings.maxProperties()) {
                throw new InvalidRecord(RejectReason.TOO_MANY_PROPERTIES, "'" + field + "' has " + distinct
                        + " entries, more than the limit of " + settings.maxProperties());
            }
        }
        return new LazyJsonObject(json, payload, start, end - start);
    }

    /** How many different names the object in {@code payload[start, end)}, already checked, has at its top. */
    private int distinctNames(byte[] payload, int start, int end) throws IOException {
        Set<String> names = new HashSet<>();
        try (JsonParser p = json.createParser(payload, start, end - start)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                names.add(p.currentName());
                p.nextToken();
                p.skipChildren();
            }
        }
        return names.size();
    }

    static Map<String, Object> readObject(JsonParser p) throws IOException {
        Map<String, Object> map = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            p.nextToken();
            map.put(key, readValue(p));
        }
        return map;
    }

    private static Object readValue(JsonParser p) throws IOException {
        return switch (p.currentToken()) {
            case START_OBJECT -> readObject(p);
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(readValue(p));
                }
                yield list;
            }
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                    ? p.getText() : (Object) p.getLongValue();
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            default -> null;
        };
    }

    private static Long timestamp(JsonParser p, JsonToken value, String field) throws IOException, InvalidRecord {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            return p.getLongValue();
        }
        if (value != JsonToken.VALUE_STRING) {
            p.skipChildren();
            throw new InvalidRecord(RejectReason.BAD_TIMESTAMP, "'" + field + "' must be an ISO-8601 date-time, was "
                    + describe(value));
        }
        char[] chars = p.getTextCharacters();
        int offset = p.getTextOffset();
        int length = p.getTextLength();
        try {
            return IsoTimestamps.toEpochMillis(chars, offset, length);
        } catch (DateTimeException e) {
            throw new InvalidRecord(RejectReason.BAD_TIMESTAMP, "'" + field + "' is not an ISO-8601 date-time: '"
                    + abbreviate(new String(chars, offset, length)) + "'");
        }
    }

    private static InvalidRecord constraint(StreamConstraintsException e) {
        String message = String.valueOf(e.getOriginalMessage());
        if (message.contains("nesting depth")) {
            return new InvalidRecord(RejectReason.TOO_DEEP, message);
        }
        if (message.contains("Document length")) {
            return new InvalidRecord(RejectReason.TOO_LARGE, message);
        }
        if (message.contains("Number value length")) {
            return new InvalidRecord(RejectReason.INVALID_JSON, message);
        }
        return new InvalidRecord(RejectReason.STRING_TOO_LONG, message);
    }

    private static String nonBlank(String text) {
        if (text == null) {
            return null;
        }
        String trimmed = text.strip();
        return trimmed.isEmpty() ? null : trimmed;
    }

    private static boolean isBlank(byte[] payload) {
        for (byte b : payload) {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return false;
            }
        }
        return true;
    }

    private static String describe(JsonToken token) {
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            default -> String.valueOf(token);
        };
    }

    private static String locationOf(JsonParseException e) {
        return e.getLocation() == null ? "" : " (at byte " + e.getLocation().getByteOffset() + ")";
    }

    private static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "…";
    }

    /** The fields of one record as read, before they are checked together. */
    private static final class Fields {
        String type;
        String messageId;
        String userId;
        String anonymousId;
        String event;
        String name;
        LazyJsonObject properties;
        LazyJsonObject context;
        LazyJsonObject traits;
        Long timestamp;
        Long originalTimestamp;
        Long sentAt;
        Long receivedAt;
    }
}

package io.tally.it.support;

import io.tally.local.sample.EventGenerator;
import io.tally.local.sample.GeneratedEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A deterministic stream of input records, about half valid events and half hostile ones, each with the outcome
 * Tally's documented rules give it, known from how the record was built and never from running Tally's parser:
 * counted, a duplicate of an earlier record's {@code messageId} (an exact copy, as a producer's retry is), or
 * rejected with one reason. Every hostile record is built so that exactly one rule applies, in the documented order
 * (empty, then size, then UTF-8, then JSON, then the fields).
 *
 * <p>Records for a log file ({@link Channel#FILE}) hold no newline byte and are never empty, since the file spout
 * splits lines on newlines and skips empty ones; over-long lines are cut by the spout to its line limit, still over
 * the record limit.
 */
public final class HostileRecords {
    /** Where a record is sent, which decides the bytes it may hold. */
    public enum Channel { KAFKA, FILE }

    /** What Tally must make of a record. */
    public sealed interface Outcome {
    }

    /** Accepted and counted once under its event and hour. */
    public record Counted(GeneratedEvent event) implements Outcome {
    }

    /** Accepted, then dropped by de-duplication: an earlier record has its {@code messageId}. */
    public record Duplicate(GeneratedEvent event) implements Outcome {
    }

    /** Rejected with this reason code. */
    public record Rejected(String reason) implements Outcome {
    }

    public record Record(byte[] payload, Outcome outcome) {
    }

    private static final int MAX_RECORD_BYTES = 32 * 1024;
    private static final int MAX_STRING_CHARS = 8 * 1024;
    private static final String TRACK = "{\"type\":\"track\",\"userId\":\"hostile-user\",\"event\":\"Hostile\"";

    private final SplittableRandom random;
    private final EventGenerator events;
    /** Recent valid events, the originals that duplicates copy. */
    private final List<GeneratedEvent> recent = new ArrayList<>();

    public HostileRecords(long seed, EventGenerator events) {
        this.random = new SplittableRandom(seed);
        this.events = events;
    }

    /** The next record for {@code channel}. */
    public Record next(Channel channel) {
        int kind = random.nextInt(1000);
        if (kind < 515) {
            return counted(events.next(), false);
        }
        if (kind < 520) {
            return counted(events.next(), true);
        }
        if (kind < 570 && !recent.isEmpty()) {
            GeneratedEvent original = recent.get(random.nextInt(recent.size()));
            return new Record(original.json(), new Duplicate(original));
        }
        if (kind < 620) {
            byte[] json = events.next().json();
            // Cut anywhere after the first character: the object is never closed, whatever field the cut lands in.
            return rejected(Arrays.copyOf(json, random.nextInt(2, json.length - 1)), "invalid_json");
        }
        if (kind < 660) {
            return rejected(utf8(pick(
                    TRACK + ",,\"x\":1}",
                    "{'type':'track','userId':'u','event':'e'}",
                    TRACK + ",\"properties\":{\"x\":NaN}}",
                    TRACK + "} and then some",
                    "{type:\"track\"}",
                    TRACK + ",\"timestamp\":\"2026-11-18T00:00:00Z\"",
                    // Half a surrogate pair: Jackson decodes it, but no text column can store it.
                    "{\"type\":\"track\",\"userId\":\"u\\ud800\",\"event\":\"e\"}",
                    TRACK + ",\"properties\":{\"k\":\"\\udc00x\"}}")), "invalid_json");
        }
        if (kind < 675) {
            return rejected(utf8(TRACK + ",\"properties\":{\"a\":\"x\u0000y\"}}"), "invalid_json");
        }
        if (kind < 685) {
            return rejected((TRACK + "}").getBytes(StandardCharsets.UTF_16LE), "invalid_json");
        }
        if (kind < 715) {
            return rejected(utf8(pick(
                    TRACK + ",\"properties\":5}",
                    "{\"type\":\"track\",\"userId\":true,\"event\":\"e\"}",
                    "{\"type\":\"track\",\"userId\":\"u\",\"event\":{\"a\":1}}",
                    TRACK + ",\"context\":\"mobile\"}",
                    "{\"type\":\"identify\",\"userId\":\"u\",\"traits\":[1,2]}")), "bad_field_type");
        }
        if (kind < 730) {
            return rejected(utf8("{\"userId\":\"u\",\"event\":\"e\"}"), "missing_type");
        }
        if (kind < 745) {
            return rejected(utf8("{\"type\":\"click\",\"userId\":\"u\",\"event\":\"e\"}"), "unknown_type");
        }
        if (kind < 760) {
            return rejected(utf8("{\"type\":\"track\",\"event\":\"e\",\"anonymousId\":\"  \"}"), "missing_user");
        }
        if (kind < 775) {
            return rejected(utf8("{\"type\":\"track\",\"userId\":\"u\",\"properties\":{}}"), "missing_event_name");
        }
        if (kind < 800) {
            return rejected(utf8(TRACK + pick(
                    ",\"timestamp\":\"yesterday\"}",
                    ",\"timestamp\":\"+999999999-12-31T23:59:59Z\"}",
                    ",\"timestamp\":99999999999999999999999999}",
                    ",\"timestamp\":1.5e300}",
                    ",\"sentAt\":9223372036854775807,\"originalTimestamp\":-9223372036854775807}")), "bad_timestamp");
        }
        if (kind < 810) {
            return rejected(utf8(TRACK + pick(",\"timestamp\":9223372036854775807}",
                    ",\"timestamp\":\"9999-12-31T23:59:59Z\"}")), "too_far_in_future");
        }
        if (kind < 820) {
            return rejected(utf8(TRACK + pick(",\"timestamp\":-9223372036854775808}",
                    ",\"timestamp\":\"1970-01-01T00:00:00Z\"}")), "too_late");
        }
        if (kind < 840) {
            // Nested far past the depth limit, yet under the size limit: stopped by depth while parsing; a few
            // nested 100,000 deep, over the size limit: never parsed.
            if (random.nextInt(100) == 0) {
                return rejected(utf8(TRACK + ",\"properties\":{\"a\":" + "[".repeat(100_000) + "}}"), "too_large");
            }
            int depth = random.nextInt(10) == 0 ? 30_000 : random.nextInt(20, 2_000);
            return rejected(utf8(TRACK + ",\"properties\":{\"a\":" + "[".repeat(depth) + "}}"), "too_deep");
        }
        if (kind < 870) {
            return rejected(invalidUtf8(), "invalid_utf8");
        }
        if (kind < 900) {
            return rejected(binaryGarbage(), "invalid_utf8");
        }
        if (kind < 915) {
            return rejected(utf8(TRACK + ",\"properties\":{\"note\":\"" + "x".repeat(MAX_STRING_CHARS + 1 + random.nextInt(
                    1_000)) + "\"}}"), "string_too_long");
        }
        if (kind < 925) {
            StringBuilder properties = new StringBuilder(TRACK + ",\"properties\":{");
            for (int i = 0; i < 257 + random.nextInt(200); i++) {
                properties.append(i == 0 ? "" : ",").append("\"p").append(i).append("\":").append(i);
            }
            return rejected(utf8(properties + "}}"), "too_many_properties");
        }
        if (kind < 940) {
            return rejected(utf8(pick("[1,2]", "\"just a string\"", "42", "null", "[".repeat(1_000))), "not_an_object");
        }
        if (kind < 950) {
            return rejected(channel == Channel.KAFKA && random.nextBoolean() ? new byte[0] : utf8(" \t  "), "empty_record");
        }
        return counted(events.next(), false);
    }

    /** A record of {@code bytes} bytes (a few megabytes): rejected as too large, whole or as the spout's cut line. */
    public Record huge(int bytes) {
        byte[] payload = new byte[bytes];
        byte[] head = utf8(TRACK + ",\"properties\":{\"blob\":\"");
        System.arraycopy(head, 0, payload, 0, head.length);
        Arrays.fill(payload, head.length, bytes - 3, (byte) 'b');
        payload[bytes - 3] = '"';
        payload[bytes - 2] = '}';
        payload[bytes - 1] = '}';
        return rejected(payload, "too_large");
    }

    private Record counted(GeneratedEvent event, boolean longProperty) {
        recent.add(event);
        if (recent.size() > 10_000) {
            recent.remove(random.nextInt(recent.size()));
        }
        if (!longProperty) {
            return new Record(event.json(), new Counted(event));
        }
        // A long property (a trait for an identify call), just within the string limit: still valid, counted.
        String json = new String(event.json(), StandardCharsets.UTF_8);
        String object = json.contains("\"properties\":{") ? "\"properties\":{" : "\"traits\":{";
        String withNote = json.replace(object, object + "\"note\":\"" + "n".repeat(MAX_STRING_CHARS - 10) + "\",");
        if (withNote.length() > MAX_RECORD_BYTES) {
            throw new IllegalStateException("the long-property record must stay under the size limit");
        }
        // Duplicates copy the record as sent, so the original must be the record with the note.
        GeneratedEvent sent = new GeneratedEvent(utf8(withNote), event.countName(), event.eventTimeMillis(),
                event.userKey(), event.messageId());
        recent.set(recent.size() - 1, sent);
        return new Record(sent.json(), new Counted(sent));
    }

    /** A valid-looking track call whose event name holds a byte sequence that is not UTF-8. */
    private byte[] invalidUtf8() {
        byte[][] bad = {{(byte) 0xC3, '('}, {(byte) 0x80}, {(byte) 0xFF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}};
        byte[] head = utf8("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"caf");
        byte[] tail = utf8("\"}");
        byte[] sequence = bad[random.nextInt(bad.length)];
        byte[] record = Arrays.copyOf(head, head.length + sequence.length + tail.length);
        System.arraycopy(sequence, 0, record, head.length, sequence.length);
        System.arraycopy(tail, 0, record, head.length + sequence.length, tail.length);
        return record;
    }

    /** Random bytes with NULs, never UTF-8 (0xFF appears in no UTF-8 text), and no newline. */
    private byte[] binaryGarbage() {
        byte[] garbage = new byte[random.nextInt(2, 600)];
        random.nextBytes(garbage);
        for (int i = 0; i < garbage.length; i++) {
            if (garbage[i] == '\n' || garbage[i] == '\r') {
                garbage[i] = 0;
            }
        }
        garbage[random.nextInt(garbage.length)] = 0;
        garbage[random.nextInt(garbage.length)] = (byte) 0xFF;
        return garbage;
    }

    private Record rejected(byte[] payload, String reason) {
        return new Record(payload, new Rejected(reason));
    }

    private String pick(String... choices) {
        return choices[random.nextInt(choices.length)];
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}

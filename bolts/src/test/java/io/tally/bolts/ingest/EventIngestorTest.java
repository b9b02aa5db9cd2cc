package io.tally.bolts.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.bolts.event.Event;
import io.tally.bolts.event.EventType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class EventIngestorTest {
    private static final long RECEIVED = Instant.parse("2026-11-20T12:00:00Z").toEpochMilli();
    private static final IngestSettings SMALL_LIMITS = new IngestSettings(512, 4, 40, 3, 3_600_000, 16, 400L * 86_400_000);
    private final EventIngestor ingestor = new EventIngestor(SMALL_LIMITS);

    private IngestResult ingest(String json) {
        return ingestor.ingest(json.getBytes(StandardCharsets.UTF_8), "kafka:events:0", 42, RECEIVED);
    }

    private Event accepted(String json) {
        IngestResult result = ingest(json);
        assertThat(result).as(json).isInstanceOf(IngestResult.Accepted.class);
        return ((IngestResult.Accepted) result).event();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "empty_record        | ''",
        "empty_record        | '   '",
        "invalid_json        | '{\"type\":\"track\",'",
        "invalid_json        | '{\"type\":\"track\"} trailing'",
        "invalid_json        | '{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"properties\":{\"x\":NaN}}'",
        "not_an_object       | '[1,2,3]'",
        "not_an_object       | '\"just a string\"'",
        "too_deep            | '{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"properties\":{\"a\":{\"b\":{\"c\":{\"d\":1}}}}}'",
        "string_too_long     | '{\"type\":\"track\",\"userId\":\"u\",\"event\":\"eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee\"}'",
        "too_many_properties | '{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"properties\":{\"a\":1,\"b\":2,\"c\":3,\"d\":4}}'",
        "string_too_long     | '{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"properties\":{\"a\":[{\"b\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}]}}'",
        "string_too_long     | '{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"context\":{\"ip\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}}'",
        "string_too_long     | '{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"properties\":{\"n\":12345678901234567890123456789012345678901}}'",
        "too_many_properties | '{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"properties\":{\"a\":1,\"a\":2,\"b\":3,\"c\":4,\"d\":5}}'",
        "invalid_json        | '{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"properties\":{\"a\":[1,'",
        "invalid_json        | '{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"context\":{\"a\":}}'",
        "bad_field_type      | '{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"properties\":5}'",
        "bad_field_type      | '{\"type\":7,\"userId\":\"u\",\"event\":\"e\"}'",
        "missing_type        | '{\"userId\":\"u\",\"event\":\"e\"}'",
        "unknown_type        | '{\"type\":\"click\",\"userId\":\"u\",\"event\":\"e\"}'",
        "missing_user        | '{\"type\":\"track\",\"event\":\"e\"}'",
        "missing_user        | '{\"type\":\"track\",\"userId\":\"  \",\"event\":\"e\"}'",
        "missing_event_name  | '{\"type\":\"track\",\"userId\":\"u\"}'",
        "missing_event_name  | '{\"type\":\"track\",\"userId\":\"u\",\"event\":\" \"}'",
        "bad_timestamp       | '{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"timestamp\":\"yesterday\"}'",
        "bad_timestamp       | '{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"timestamp\":true}'",
        "too_far_in_future   | '{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"timestamp\":\"2026-11-20T13:00:01Z\"}'",
        "too_late            | '{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"timestamp\":\"2025-10-16T11:59:59Z\"}'",
        "bad_timestamp       | '{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"timestamp\":\"+999999999-12-31T23:59:59Z\"}'",
        "bad_timestamp       | '{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"timestamp\":\"-999999999-01-01T00:00:00\"}'",
        "bad_timestamp       | '{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"sentAt\":9223372036854775807,\"originalTimestamp\":-9223372036854775807}'",
        "too_late            | '{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"timestamp\":-9223372036854775808}'",
        "too_far_in_future   | '{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"timestamp\":9223372036854775807}'",
    })
    void rejectsWithTheSpecificReason(String code, String json) {
        IngestResult result = ingest(json);
        assertThat(result).isInstanceOf(IngestResult.Rejected.class);
        Rejection rejection = ((IngestResult.Rejected) result).rejection();
        assertThat(rejection.reason().code()).isEqualTo(code);
        assertThat(rejection.source()).isEqualTo("kafka:events:0");
        assertThat(rejection.position()).isEqualTo(42);
        assertThat(rejection.receivedAtMillis()).isEqualTo(RECEIVED);
        assertThat(rejection.detail()).isNotBlank();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "reserved_event_name | '{\"type\":\"track\",\"userId\":\"u\",\"event\":\"*\"}'",
        "reserved_event_name | '{\"type\":\"track\",\"userId\":\"u\",\"event\":\" * \"}'",
        "reserved_event_name | '{\"type\":\"track\",\"userId\":\"u\",\"event\":\"\\u002a\"}'",
        "invalid_message_id  | '{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"messageId\":\"\\u0000kafka:events:0@1234\"}'",
        "invalid_message_id  | '{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"messageId\":\"m\\t1\"}'",
        "invalid_message_id  | '{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"messageId\":\"m\\u007f1\"}'",
        "invalid_message_id  | '{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"messageId\":\"m\\u00851\"}'",
    })
    void reservedNamesAndForgeableIdsAreRejectedWithTheirOwnReason(String code, String json) {
        assertThat(rejection(json).reason().code()).isEqualTo(code);
    }

    @Test
    void aMessageIdLongerThanTheLimitIsRejectedAndOneAtTheLimitAccepted() {
        EventIngestor defaults = new EventIngestor(IngestSettings.DEFAULTS);
        String atLimit = "m".repeat(IngestSettings.DEFAULTS.maxMessageIdLength());
        String record = "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"messageId\":\"%s\"}";
        IngestResult ok = defaults.ingest(String.format(record, atLimit).getBytes(StandardCharsets.UTF_8), "s", 1, RECEIVED);
        assertThat(((IngestResult.Accepted) ok).event().messageId()).isEqualTo(atLimit);
        IngestResult tooLong = defaults.ingest(String.format(record, atLimit + "m").getBytes(StandardCharsets.UTF_8), "s", 1,
                RECEIVED);
        Rejection rejection = ((IngestResult.Rejected) tooLong).rejection();
        assertThat(rejection.reason()).isEqualTo(RejectReason.MESSAGE_ID_TOO_LONG);
        assertThat(rejection.detail()).isEqualTo("'messageId' has 257 characters, more than the limit of 256");
    }

    @Test
    void notUtf8AnywhereIsInvalidUtf8AndNulIsInvalidJson() {
        byte[] garbageStartingLikeJson = {'{', '"', 'a', '"', ':', (byte) 0xFF, 0x01, '}'};
        assertThat(rejection(garbageStartingLikeJson).reason()).isEqualTo(RejectReason.INVALID_UTF8);
        assertThat(rejection(garbageStartingLikeJson).detail()).contains("at byte 5");
        byte[] binaryWithNul = {0, 0, 0, '{', (byte) 0xFF};
        assertThat(rejection(binaryWithNul).reason()).isEqualTo(RejectReason.INVALID_UTF8);
        byte[] nulInUtf8 = "{\"type\":\"track\",\"userId\":\"\u00fc\u0000\",\"event\":\"e\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(rejection(nulInUtf8).reason()).isEqualTo(RejectReason.INVALID_JSON);
        byte[] utf16 = "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\"}".getBytes(StandardCharsets.UTF_16LE);
        assertThat(rejection(utf16).reason()).as("UTF-16 is not accepted as JSON").isEqualTo(RejectReason.INVALID_JSON);
        assertThat(accepted("{\"type\":\"track\",\"userId\":\"\u00fc\",\"event\":\"caf\u00e9 \ud83d\ude00\"}").countName())
                .isEqualTo("caf\u00e9 \ud83d\ude00");
    }

    @Test
    void tooLargeIsRejectedBeforeParsing() {
        String big = "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"pad\":\"" + "x".repeat(600) + "\"}";
        assertThat(rejection(big).reason()).isEqualTo(RejectReason.TOO_LARGE);
        assertThat(rejection(big).payload()).hasSize(16);
        assertThat(rejection(big).truncated()).isTrue();
    }

    @Test
    void aBadByteFarIntoALongRecordIsFoundAcrossDecodeChunks() {
        EventIngestor defaults = new EventIngestor(IngestSettings.DEFAULTS);
        String padding = "\u00e9".repeat(6_000); // 12,000 bytes, 6,000 chars: past the 4,096-char decode chunk
        byte[] good = ("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"properties\":{\"p\":\"" + padding
                + "\"}}").getBytes(StandardCharsets.UTF_8);
        assertThat(defaults.ingest(good, "file:1", 0, RECEIVED)).isInstanceOf(IngestResult.Accepted.class);
        byte[] bad = good.clone();
        int badAt = good.length - 3; // the closing quote, after 12,000 bytes of two-byte characters
        bad[badAt] = (byte) 0xFF;
        IngestResult result = defaults.ingest(bad, "file:1", 0, RECEIVED);
        assertThat(((IngestResult.Rejected) result).rejection().reason()).isEqualTo(RejectReason.INVALID_UTF8);
        assertThat(((IngestResult.Rejected) result).rejection().detail()).contains("at byte " + badAt);
    }

    @Test
    void invalidUtf8IsNamed() {
        byte[] bytes = "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\u00ff\"}".getBytes(StandardCharsets.ISO_8859_1);
        IngestResult result = ingestor.ingest(bytes, "file:1", 0, RECEIVED);
        assertThat(((IngestResult.Rejected) result).rejection().reason()).isEqualTo(RejectReason.INVALID_UTF8);
    }

    @Test
    void trackIsCountedUnderItsTrimmedEventName() {
        Event event = accepted("{\"type\":\"track\",\"messageId\":\"m1\",\"userId\":\"u1\",\"event\":\" Order Completed \","
                + "\"timestamp\":\"2026-11-20T10:15:00.250Z\",\"properties\":{\"price\":12.5,\"qty\":2,\"tags\":[\"a\"]},"
                + "\"context\":{\"os\":{\"name\":\"iOS\"}}}");
        assertThat(event.type()).isEqualTo(EventType.TRACK);
        assertThat(event.countName()).isEqualTo("Order Completed");
        assertThat(event.messageId()).isEqualTo("m1");
        assertThat(event.userKey()).isEqualTo("u1");
        assertThat(event.timestampMillis()).isEqualTo(Instant.parse("2026-11-20T10:15:00.250Z").toEpochMilli());
        assertThat(event.receivedAtMillis()).isEqualTo(RECEIVED);
        assertThat(event.properties()).isEqualTo(Map.of("price", 12.5, "qty", 2L, "tags", List.of("a")));
        assertThat(event.context()).isEqualTo(Map.of("os", Map.of("name", "iOS")));
    }

    @ParameterizedTest(name = "{0} is counted as {1}")
    @CsvSource({"page, Page Viewed", "screen, Screen Viewed", "identify, Identify", "group, Group", "alias, Alias"})
    void otherCallsAreCountedUnderTheirTypesName(String type, String countName) {
        Event event = accepted("{\"type\":\"" + type + "\",\"anonymousId\":\"a1\",\"name\":\"Pricing\"}");
        assertThat(event.countName()).isEqualTo(countName);
        assertThat(event.userKey()).isEqualTo("a1");
        if (type.equals("page") || type.equals("screen")) {
            assertThat(event.properties()).containsEntry("name", "Pricing");
        }
    }

    @Test
    void aPagesNameFollowsItsOwnPropertiesUnlessTheyNameThePageThemselves() {
        Event named = accepted("{\"type\":\"page\",\"anonymousId\":\"a1\",\"name\":\"Pricing\","
                + "\"properties\":{\"path\":\"/pricing\",\"n\":2}}");
        assertThat(named.properties()).containsExactly(Map.entry("path", "/pricing"), Map.entry("n", 2L),
                Map.entry("name", "Pricing"));

        Event selfNamed = accepted("{\"type\":\"screen\",\"anonymousId\":\"a1\",\"name\":\"Pricing\","
                + "\"properties\":{\"name\":\"Plans\"}}");
        assertThat(selfNamed.properties()).containsExactly(Map.entry("name", "Plans"));
    }

    @Test
    void recordsWithTheSameEventNameShareOneInstanceOfIt() {
        Event first = accepted("{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"Signed Up\"}");
        Event second = accepted("{\"type\":\"track\",\"userId\":\"u2\",\"event\":\" Signed Up\"}");

        assertThat(second.countName()).isEqualTo("Signed Up").isSameAs(first.countName());
    }

    @Test
    void clientClockSkewIsCorrectedAgainstReceivedAt() {
        // The device clock runs 10 minutes fast; the call took 2 s to send.
        Event event = accepted("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\","
                + "\"originalTimestamp\":\"2026-11-20T11:10:00Z\",\"sentAt\":\"2026-11-20T11:10:02Z\","
                + "\"receivedAt\":\"2026-11-20T11:00:02Z\",\"timestamp\":\"2026-11-20T11:10:00Z\"}");
        assertThat(Instant.ofEpochMilli(event.timestampMillis())).isEqualTo(Instant.parse("2026-11-20T11:00:00Z"));
        assertThat(Instant.ofEpochMilli(event.receivedAtMillis())).isEqualTo(Instant.parse("2026-11-20T11:00:02Z"));
    }

    @Test
    void withoutItsOwnReceivedAtTheRecordsReceiptTimeIsUsed() {
        Event event = accepted("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\","
                + "\"originalTimestamp\":\"2026-11-20T12:05:00+01:00\",\"sentAt\":\"2026-11-20T12:05:01+01:00\"}");
        assertThat(event.timestampMillis()).isEqualTo(RECEIVED - 1_000);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "timestamp wins over originalTimestamp | '\"timestamp\":\"2026-11-20T09:00:00Z\",\"originalTimestamp\":\"2026-11-20T08:00:00Z\"' | 2026-11-20T09:00:00Z",
        "originalTimestamp alone               | '\"originalTimestamp\":\"2026-11-20T08:00:00Z\"'                                          | 2026-11-20T08:00:00Z",
        "no time at all: receipt               | '\"name\":\"x\"'                                                                        | 2026-11-20T12:00:00Z",
        "epoch milliseconds                    | '\"timestamp\":1763632800000'                                                           | 2025-11-20T10:00:00Z",
        "no offset means UTC                   | '\"timestamp\":\"2026-11-20T07:30:00\"'                                                 | 2026-11-20T07:30:00Z",
        "within the future tolerance           | '\"timestamp\":\"2026-11-20T12:59:59Z\"'                                                | 2026-11-20T12:59:59Z",
    })
    void eventTimePrecedence(String why, String fields, String expected) {
        Event event = accepted("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\"," + fields + "}");
        assertThat(Instant.ofEpochMilli(event.timestampMillis())).isEqualTo(Instant.parse(expected));
    }

    @Test
    void numericIdsAreKeptAsText() {
        Event event = accepted("{\"type\":\"track\",\"userId\":12345,\"messageId\":99,\"event\":\"e\"}");
        assertThat(event.userId()).isEqualTo("12345");
        assertThat(event.messageId()).isEqualTo("99");
    }

    private Rejection rejection(String json) {
        IngestResult result = ingest(json);
        assertThat(result).as(json).isInstanceOf(IngestResult.Rejected.class);
        return ((IngestResult.Rejected) result).rejection();
    }

    private Rejection rejection(byte[] payload) {
        IngestResult result = ingestor.ingest(payload, "file:1", 0, RECEIVED);
        assertThat(result).isInstanceOf(IngestResult.Rejected.class);
        return ((IngestResult.Rejected) result).rejection();
    }

    @Test
    void theWordAtATimeAsciiCheckFindsANulAHighByteOrABackslashAtEveryPosition() {
        for (int length = 0; length <= 24; length++) {
            byte[] ascii = new byte[length];
            java.util.Arrays.fill(ascii, (byte) 'a');
            assertThat(RecordEncoding.isPlainAscii(ascii)).as("length %d", length).isTrue();
            for (int at = 0; at < length; at++) {
                for (byte bad : new byte[] {0, (byte) 0x80, (byte) 0xC3, (byte) 0xFF, '\\'}) {
                    byte[] payload = ascii.clone();
                    payload[at] = bad;
                    assertThat(RecordEncoding.isPlainAscii(payload)).as("0x%02x at %d of %d", bad, at, length)
                            .isFalse();
                }
            }
        }
        byte[] all = new byte[126];
        int next = 0;
        for (int b = 1; b <= 127; b++) {
            if (b != '\\') {
                all[next++] = (byte) b;
            }
        }
        assertThat(RecordEncoding.isPlainAscii(all)).isTrue();
    }

    /** The record's userId is {@code value}, written as it stands into the JSON text (escapes and all). */
    private static String withUserId(String value) {
        return "{\"type\":\"track\",\"event\":\"e\",\"userId\":\"" + value + "\"}";
    }

    @Test
    void anEscapedHalfOfASurrogatePairWithoutTheOtherHalfIsRejectedWithWhereItIs() {
        // Each would decode to a string Cassandra's driver refuses to bind.
        for (String lone : List.of("u\\ud800", "\\uDBFFx", "\\udc00u", "\\udc00\\ud800", "\\ud800\\u0041",
                "\\ud800\\ud800\\udc00", "\\ud800\\n")) {
            Rejection rejection = rejection(withUserId(lone));
            assertThat(rejection.reason()).as(lone).isEqualTo(RejectReason.INVALID_JSON);
            assertThat(rejection.detail()).as(lone).contains("surrogate pair without the other half");
        }
        assertThat(rejection(withUserId("u\\ud800")).detail())
                .isEqualTo("the escape \\uD800 at byte 39 is half of a UTF-16 surrogate pair without the other half,"
                        + " so it is not a character");
    }

    @Test
    void escapesThatAreWholeCharactersAreAccepted() {
        assertThat(accepted(withUserId("u\\ud83d\\ude00")).userId()).isEqualTo("u\uD83D\uDE00");
        assertThat(accepted(withUserId("u\\uD83D\\uDE00\\u00e9")).userId()).isEqualTo("u\uD83D\uDE00\u00E9");
        // An escaped backslash, then the letters u, d, 8, 0, 0: no escape at all.
        assertThat(accepted(withUserId("u\\\\ud800")).userId()).isEqualTo("u\\ud800");
        assertThat(accepted(withUserId("u\\uE000\\\"")).userId()).isEqualTo("u\uE000\"");
    }

    @Test
    void aRepeatedNameIsOneEntryAsInTheBuiltMap() {
        Event event = accepted("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\","
                + "\"properties\":{\"a\":1,\"a\":2,\"b\":3,\"c\":4}}");
        assertThat(event.properties()).containsExactly(Map.entry("a", 2L), Map.entry("b", 3L), Map.entry("c", 4L));
    }

    @Test
    void objectsAreBuiltOnFirstLookWithEveryValueAsParsed() {
        Event event = accepted("{\"type\":\"identify\",\"userId\":\"u1\",\"traits\":{\"plan\":\"pro\"},"
                + "\"properties\":{\"n\":{\"deep\":[1,2.5,true,null,\"s\"]},\"big\":123456789012345678901234567890},"
                + "\"context\":{\"ip\":\"10.0.0.1\"},\"timestamp\":\"2026-11-20T10:15:00Z\"}");
        Map<String, Object> nested = new java.util.LinkedHashMap<>();
        nested.put("deep", java.util.Arrays.asList(1L, 2.5, true, null, "s"));
        assertThat(event.properties()).containsExactly(Map.entry("n", nested),
                Map.entry("big", "123456789012345678901234567890"));
        assertThat(event.traits()).isEqualTo(Map.of("plan", "pro"));
        assertThat(event.context().get("ip")).isEqualTo("10.0.0.1");
        assertThat(event.context()).hasSize(1).containsKey("ip");
    }
}

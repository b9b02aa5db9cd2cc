package io.tally.collector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tally.bolts.event.Event;
import io.tally.bolts.event.EventType;
import io.tally.bolts.ingest.EventIngestor;
import io.tally.bolts.ingest.IngestResult;
import io.tally.bolts.ingest.IngestSettings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class SegmentPayloadsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-12-06T10:00:00.123Z");
    private final SegmentPayloads payloads = new SegmentPayloads(32 * 1024, 500 * 1024);

    @Test
    void aSingleCallTakesItsTypeFromThePathAndTheServersReceivedAt() throws Exception {
        SegmentPayloads.Parsed parsed = payloads.parse(Endpoint.PAGE, bytes("""
                {"type":"track","userId":"u1","name":"Home","messageId":"m1","writeKey":"secret",
                 "receivedAt":"2020-01-01T00:00:00Z","sentAt":"2026-12-06T09:59:59Z"}"""), NOW);

        assertThat(parsed.bodyWriteKey()).isEqualTo("secret");
        assertThat(parsed.records()).hasSize(1);
        EventRecord record = parsed.records().get(0);
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("u1");
        JsonNode written = JSON.readTree(record.value());
        assertThat(written.get("type").asText()).isEqualTo("page");
        assertThat(written.get("receivedAt").asText()).isEqualTo("2026-12-06T10:00:00.123Z");
        assertThat(written.get("sentAt").asText()).isEqualTo("2026-12-06T09:59:59Z");
        assertThat(written.has("writeKey")).isFalse();
    }

    @Test
    void aBatchLendsItsSentAtAndContextToMessagesWithoutAndKeysByUser() throws Exception {
        SegmentPayloads.Parsed parsed = payloads.parse(Endpoint.IMPORT, bytes("""
                {"batch":[
                   {"type":"track","event":"Played","anonymousId":"a1","context":{"ip":"1.2.3.4"}},
                   {"type":"identify","userId":42,"anonymousId":"a2","sentAt":"2026-12-06T09:00:00Z"},
                   {"type":"track","event":"Orphan"}],
                 "sentAt":"2026-12-06T09:59:00Z","context":{"library":{"name":"analytics-java"},"ip":"9.9.9.9"}}
                """), NOW);

        List<JsonNode> written = parsed.records().stream().map(r -> read(r.value())).toList();
        assertThat(written.get(0).get("sentAt").asText()).isEqualTo("2026-12-06T09:59:00Z");
        assertThat(written.get(0).get("context").toString())
                .isEqualTo("{\"ip\":\"1.2.3.4\",\"library\":{\"name\":\"analytics-java\"}}");
        assertThat(written.get(1).get("sentAt").asText()).isEqualTo("2026-12-06T09:00:00Z");
        assertThat(written.get(1).get("context").toString())
                .isEqualTo("{\"library\":{\"name\":\"analytics-java\"},\"ip\":\"9.9.9.9\"}");
        assertThat(parsed.records()).extracting(r -> r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8))
                .containsExactly("a1", "42", null);
        assertThat(parsed.bodyWriteKey()).isNull();
    }

    /** The topology reads the records: the clock correction uses the collector's receivedAt and the SDK's sentAt. */
    @Test
    void theTopologysIngestAcceptsTheRecordsWithTheClientClockCorrected() throws Exception {
        SegmentPayloads.Parsed parsed = payloads.parse(Endpoint.BATCH, bytes("""
                {"batch":[
                   {"type":"track","event":"Played","userId":"u1","messageId":"m1",
                    "originalTimestamp":"2026-12-06T09:58:00Z","properties":{"song":"x"}},
                   {"type":"screen","name":"Settings","anonymousId":"a9","messageId":"m2",
                    "timestamp":"2026-12-06T08:00:00Z"}],
                 "sentAt":"2026-12-06T09:59:00Z"}"""), NOW);
        EventIngestor ingestor = new EventIngestor(IngestSettings.DEFAULTS);

        // Read as the collector writes them: the Kafka record's time, and Tally's read, at NOW.
        Event track = accepted(ingestor.ingest(parsed.records().get(0).value(), "t", 0, NOW.toEpochMilli()));
        Event screen = accepted(ingestor.ingest(parsed.records().get(1).value(), "t", 1, NOW.toEpochMilli()));

        assertThat(track.type()).isEqualTo(EventType.TRACK);
        assertThat(track.countName()).isEqualTo("Played");
        assertThat(track.receivedAtMillis()).isEqualTo(NOW.toEpochMilli());
        // Sent 60 s after it happened on the client's clock: 60 s before the server received it.
        assertThat(track.timestampMillis()).isEqualTo(NOW.toEpochMilli() - 60_000);
        assertThat(screen.type()).isEqualTo(EventType.SCREEN);
        assertThat(screen.timestampMillis()).isEqualTo(Instant.parse("2026-12-06T08:00:00Z").toEpochMilli());
        assertThat(screen.properties()).containsEntry("name", "Settings");
    }

    @Test
    void aMessageOverTheLimitAsWrittenIsRefusedNamingTheLimit() {
        String big = "x".repeat(32 * 1024 - 100);
        assertThatThrownBy(() -> payloads.parse(Endpoint.BATCH, bytes("{\"batch\":[{\"type\":\"track\",\"userId\":\"u\""
                + ",\"event\":\"e\"},{\"type\":\"track\",\"event\":\"e\",\"userId\":\"u\",\"properties\":{\"p\":\""
                + big + "\"}}]}"), NOW))
                .isInstanceOfSatisfying(RequestRefused.class, r -> assertThat(r.refusal())
                        .isEqualTo(Refusal.MESSAGE_TOO_LARGE))
                .hasMessageContaining("message 1 of the batch has 32")
                .hasMessageContaining("message_limit 32768 bytes");
    }

    @Test
    void malformedBodiesAreRefusedWithTheirProblem() {
        assertRefused(Endpoint.TRACK, "{\"userId\":", Refusal.MALFORMED_JSON, "not valid JSON");
        assertRefused(Endpoint.TRACK, "[1,2]", Refusal.MALFORMED_JSON, "must be a JSON object");
        assertRefused(Endpoint.TRACK, "{} {}", Refusal.MALFORMED_JSON, "not valid JSON");
        assertRefused(Endpoint.BATCH, "{\"batch\":{}}", Refusal.MALFORMED_JSON, "'batch': an array");
        assertRefused(Endpoint.BATCH, "{\"batch\":[{},3]}", Refusal.MALFORMED_JSON, "batch[1] is not a JSON object");
        byte[] notUtf8 = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        assertThatThrownBy(() -> payloads.parse(Endpoint.TRACK, notUtf8, NOW))
                .isInstanceOfSatisfying(RequestRefused.class, r -> assertThat(r.refusal()).isEqualTo(Refusal.INVALID_UTF8));
    }

    @Test
    void gzipBodiesAreInflatedAndBombsStopAtTheBatchLimit() throws Exception {
        byte[] body = bytes("{\"userId\":\"u\",\"event\":\"e\"}");
        assertThat(payloads.decode("gzip", new ByteArrayInputStream(gzip(body)))).isEqualTo(body);
        assertThat(payloads.decode(null, new ByteArrayInputStream(body))).isEqualTo(body);

        byte[] bomb = gzip(new byte[50 * 1024 * 1024]); // 50 MB of zeros in about 50 KB
        assertThat(bomb.length).isLessThan(500 * 1024);
        assertThatThrownBy(() -> payloads.decode("gzip", new ByteArrayInputStream(bomb)))
                .isInstanceOfSatisfying(RequestRefused.class, r -> assertThat(r.refusal()).isEqualTo(Refusal.BATCH_TOO_LARGE))
                .hasMessageContaining("batch_limit 512000 bytes");
        assertThatThrownBy(() -> payloads.decode("gzip", new ByteArrayInputStream(body)))
                .isInstanceOfSatisfying(RequestRefused.class, r -> assertThat(r.refusal()).isEqualTo(Refusal.INVALID_GZIP));
        assertThatThrownBy(() -> payloads.decode("br", new ByteArrayInputStream(body)))
                .isInstanceOfSatisfying(RequestRefused.class,
                        r -> assertThat(r.refusal()).isEqualTo(Refusal.UNSUPPORTED_ENCODING));
    }

    private void assertRefused(Endpoint endpoint, String body, Refusal refusal, String message) {
        assertThatThrownBy(() -> payloads.parse(endpoint, bytes(body), NOW))
                .isInstanceOfSatisfying(RequestRefused.class, r -> assertThat(r.refusal()).isEqualTo(refusal))
                .hasMessageContaining(message);
    }

    private static Event accepted(IngestResult result) {
        assertThat(result).isInstanceOf(IngestResult.Accepted.class);
        return ((IngestResult.Accepted) result).event();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
            zip.write(data);
        }
        return out.toByteArray();
    }

    private static JsonNode read(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}

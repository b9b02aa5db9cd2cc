package io.tally.bolts.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.bolts.event.Event;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * 120,000 generated and mutated records through the ingest tier with a fixed seed: nothing throws, each record
 * is accepted or rejected with exactly one reason, and every untouched valid record is accepted with exactly
 * the name, user and time it was generated with.
 */
class IngestFuzzTest {
    private static final long RECEIVED = Instant.parse("2026-11-20T12:00:00Z").toEpochMilli();
    private static final String[] NAMES = {"Order Completed", "Signed Up", "Song Played", "😀 Emoji Event", "Überweisung"};

    @Test
    void everyInputIsAcceptedOrRejectedWithOneReason() {
        EventIngestor ingestor = new EventIngestor(IngestSettings.DEFAULTS);
        SplittableRandom random = new SplittableRandom(20261122);
        Map<RejectReason, Integer> reasons = new EnumMap<>(RejectReason.class);
        int accepted = 0;
        int validChecked = 0;
        for (int i = 0; i < 120_000; i++) {
            Valid valid = valid(random, i);
            byte[] input;
            boolean untouched = i % 4 == 0;
            input = untouched ? valid.json.getBytes(StandardCharsets.UTF_8) : mutate(random, valid.json);
            IngestResult result = ingestor.ingest(input, "fuzz:0", i, RECEIVED);
            if (result instanceof IngestResult.Accepted ok) {
                accepted++;
                if (untouched) {
                    Event event = ok.event();
                    assertThat(event.countName()).isEqualTo(valid.name.strip());
                    assertThat(event.userKey()).isEqualTo(valid.user);
                    assertThat(event.timestampMillis()).isEqualTo(valid.time);
                    validChecked++;
                }
            } else {
                Rejection rejection = ((IngestResult.Rejected) result).rejection();
                assertThat(untouched).as("a valid record was rejected: %s", rejection).isFalse();
                assertThat(rejection.reason()).isNotEqualTo(RejectReason.INGEST_ERROR);
                assertThat(rejection.position()).isEqualTo(i);
                reasons.merge(rejection.reason(), 1, Integer::sum);
            }
        }
        assertThat(validChecked).isEqualTo(30_000);
        assertThat(accepted + reasons.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(120_000);
        // The mutations reach many distinct reasons, not one catch-all.
        assertThat(reasons.keySet()).contains(RejectReason.INVALID_JSON, RejectReason.INVALID_UTF8,
                RejectReason.TOO_DEEP, RejectReason.TOO_LARGE, RejectReason.EMPTY_RECORD, RejectReason.NOT_AN_OBJECT,
                RejectReason.BAD_FIELD_TYPE, RejectReason.BAD_TIMESTAMP, RejectReason.MISSING_USER,
                RejectReason.STRING_TOO_LONG);
    }

    private record Valid(String json, String name, String user, long time) {
    }

    private static Valid valid(SplittableRandom random, int i) {
        String name = NAMES[random.nextInt(NAMES.length)];
        String user = "user-" + random.nextInt(1_000);
        long time = RECEIVED - random.nextLong(86_400_000L * 7);
        String json = "{\"type\":\"track\",\"messageId\":\"m-" + i + "\",\"userId\":\"" + user + "\",\"event\":\"" + name
                + "\",\"timestamp\":\"" + Instant.ofEpochMilli(time) + "\",\"properties\":{\"price\":"
                + random.nextInt(10_000) / 100.0 + ",\"sku\":\"s" + random.nextInt(99) + "\"},\"context\":{\"os\":{\"name\":\"ios\"}}}";
        return new Valid(json, name, user, time);
    }

    private static byte[] mutate(SplittableRandom random, String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return switch (random.nextInt(14)) {
            case 0 -> java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));
            case 1 -> flipByte(random, bytes);
            case 2 -> {
                byte[] garbage = new byte[random.nextInt(1, 300)];
                random.nextBytes(garbage);
                yield garbage;
            }
            case 3 -> ("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"properties\":" + "{\"a\":".repeat(40) + "1"
                    + "}".repeat(40) + "}").getBytes(StandardCharsets.UTF_8);
            case 4 -> json.replace("\"sku\":", "\"sku\":\"" + "x".repeat(40_000) + "\",\"x\":").getBytes(StandardCharsets.UTF_8);
            case 5 -> json.replaceFirst("\"price\":[0-9.]+", "\"price\":NaN").getBytes(StandardCharsets.UTF_8);
            case 6 -> json.replaceFirst("\"timestamp\":\"[^\"]+\"", "\"timestamp\":\"" + random.nextInt() + "\"")
                    .getBytes(StandardCharsets.UTF_8);
            case 7 -> json.replaceFirst("\"userId\":\"[^\"]+\",", "").getBytes(StandardCharsets.UTF_8);
            case 8 -> json.replaceFirst("\"properties\":", "\"properties\":[1],\"ignored\":").getBytes(StandardCharsets.UTF_8);
            case 9 -> new byte[] {'\r', '\n'};
            case 10 -> ("[" + json + "]").getBytes(StandardCharsets.UTF_8);
            case 11 -> invalidUtf8(random, bytes);
            case 12 -> json.replace("\"sku\":", "\"" + "k".repeat(10_000) + "\":").getBytes(StandardCharsets.UTF_8);
            default -> json.replaceFirst("\"price\":([0-9.]+)", "\"price\":\"$1\"").getBytes(StandardCharsets.UTF_8);
        };
    }

    private static byte[] flipByte(SplittableRandom random, byte[] bytes) {
        byte[] copy = bytes.clone();
        copy[random.nextInt(copy.length)] = (byte) random.nextInt(256);
        return copy;
    }

    private static byte[] invalidUtf8(SplittableRandom random, byte[] bytes) {
        byte[] copy = bytes.clone();
        int at = json(bytes).indexOf("\"event\":\"") + 9;
        copy[at] = (byte) (0xC0 | random.nextInt(2));
        return copy;
    }

    private static String json(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}

package io.tally.bolts.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IsoTimestampsTest {

    @Test
    void agreesWithJavaTimeOnAMillionRandomInstantsAndOffsets() {
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 1_000_000; i++) {
            Instant instant = Instant.ofEpochMilli(random.nextLong(-2_000_000_000_000L, 4_000_000_000_000L));
            String utc = instant.toString();
            assertThat(millis(utc)).as(utc).isEqualTo(instant.toEpochMilli());
            int offsetMinutes = random.nextInt(-18 * 60, 18 * 60 + 1);
            String withOffset = OffsetDateTime.ofInstant(instant, java.time.ZoneOffset.ofTotalSeconds(offsetMinutes * 60))
                    .toString();
            assertThat(millis(withOffset)).as(withOffset)
                    .isEqualTo(OffsetDateTime.parse(withOffset).toInstant().toEpochMilli());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-20T10:15:00.123456789Z", "2026-11-20T10:15:00.1Z", "2026-11-20T10:15:00+05:30",
        "2026-11-20T10:15:00", "2026-11-20T10:15Z", "2024-02-29T00:00:00Z"})
    void otherValidFormsAreReadLikeJavaTime(String text) {
        long expected = text.endsWith("Z") || text.contains("+")
                ? OffsetDateTime.parse(text).toInstant().toEpochMilli()
                : java.time.LocalDateTime.parse(text).toInstant(java.time.ZoneOffset.UTC).toEpochMilli();
        assertThat(millis(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-20 10:15:00Z",
        "2026-11-20T10:15:00+5:30", "soon", "", "2026-11-20"})
    void invalidTextIsRefused(String text) {
        assertThatThrownBy(() -> millis(text)).isInstanceOf(DateTimeException.class);
    }

    /**
     * Reads {@code text} as the parser hands it over: inside a larger buffer, here between characters that would
     * change the result if they were read.
     */
    private static long millis(String text) {
        char[] buffer = ("#.:" + text + "9Z+05:00").toCharArray();
        return IsoTimestamps.toEpochMillis(buffer, 3, text.length());
    }
}

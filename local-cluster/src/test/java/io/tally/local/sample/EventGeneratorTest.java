package io.tally.local.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class EventGeneratorTest {
    @Test
    void spreadEventsFallWithinTheirHours() {
        Instant start = Instant.parse("2026-11-16T00:00:00Z");
        EventGenerator generator = new EventGenerator(3L, start, 2, 100);
        for (int i = 0; i < 1_000; i++) {
            assertThat(generator.next().eventTimeMillis())
                    .isBetween(start.toEpochMilli(), start.plus(Duration.ofHours(2)).toEpochMilli() - 1);
        }
    }

    @Test
    void liveEventsFallWithinTheirDelayBeforeTheClock() {
        Instant now = Instant.parse("2026-12-07T16:00:00Z");
        EventGenerator generator = EventGenerator.live(3L, Clock.fixed(now, ZoneOffset.UTC), Duration.ofSeconds(2),
                100);
        for (int i = 0; i < 1_000; i++) {
            assertThat(generator.next().eventTimeMillis()).isBetween(now.toEpochMilli() - 1_999, now.toEpochMilli());
        }
    }

    @Test
    void aSpanOrUsersBelowOneAreRefused() {
        assertThatThrownBy(() -> new EventGenerator(1L, Instant.EPOCH, 0, 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventGenerator.live(1L, Clock.systemUTC(), Duration.ZERO, 10))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EventGenerator.live(1L, Clock.systemUTC(), Duration.ofSeconds(1), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

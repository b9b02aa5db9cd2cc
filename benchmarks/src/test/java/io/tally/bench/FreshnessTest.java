package io.tally.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The freshness arithmetic on hand-made send and visible times, each outcome worked out by hand below. */
class FreshnessTest {
    private static final long MS = 1_000_000L;
    private static final Instant FROM = Instant.parse("2026-12-07T12:00:00Z");

    @Test
    void percentilesCoverTheMeasuredEventsAndTheTimelineEveryEventButTheProbe() {
        // Probe sent at -5 s, visible at 0; warm-up event 1; measured events 2..5. Sending starts at 0, ends at 6 s.
        long[] sentAt = {-5_000 * MS, 0, 1_000 * MS, 2_000 * MS, 5_000 * MS, 6_000 * MS};
        long[] visibleAt = {0, 9_000 * MS, 1_100 * MS, 2_300 * MS, 5_200 * MS, 6_700 * MS};
        Freshness.Result result = Freshness.summarize(1, 2, FROM, 0, 6_000 * MS, 60_000 * MS, sentAt, visibleAt);

        // Measured lags 100, 300, 200, 700 ms: p50 is the 2nd smallest, p99 and max the largest.
        assertThat(result.measured()).isEqualTo(4);
        assertThat(result.p50Millis()).isEqualTo(200);
        assertThat(result.p99Millis()).isEqualTo(700);
        assertThat(result.maxMillis()).isEqualTo(700);
        // Visible after 6 s: the warm-up event (9 s) and the last (6.7 s), 2 events at 1 per second.
        assertThat(result.allVisible()).isTrue();
        assertThat(result.backlogSeconds()).isEqualTo(2.0);
        assertThat(result.keptUp()).isTrue();
        // Window 0-5 s: lags 9,000, 100, 300 ms; window 5-10 s: 200, 700 ms.
        assertThat(result.timeline()).containsExactly(
                new Freshness.Window(FROM, 3, 300, 9_000),
                new Freshness.Window(FROM.plusSeconds(5), 2, 200, 700));
    }

    @Test
    void anEventNeverVisibleCountsUntilTheDeadlineAndTheRunDidNotKeepUp() {
        long[] sentAt = {-1_000 * MS, 0, 1_000 * MS};
        long[] visibleAt = {0, 500 * MS, -1};
        Freshness.Result result = Freshness.summarize(1, 1, FROM, 0, 1_000 * MS, 11_000 * MS, sentAt, visibleAt);

        assertThat(result.allVisible()).isFalse();
        assertThat(result.keptUp()).isFalse();
        assertThat(result.maxMillis()).isEqualTo(10_000);
        assertThat(result.backlogSeconds()).isEqualTo(1.0);
    }

    @Test
    void aBacklogOfMoreThanFiveSecondsOfOfferedEventsIsNotKeepingUp() {
        // 12 events at 2 per second, the last 11 visible only after sending ended: a backlog of 5.5 s.
        long[] sentAt = new long[12];
        long[] visibleAt = new long[12];
        for (int k = 1; k < 12; k++) {
            sentAt[k] = k * 500 * MS;
            visibleAt[k] = 20_000 * MS;
        }
        Freshness.Result result = Freshness.summarize(2, 1, FROM, 0, 6_000 * MS, 60_000 * MS, sentAt, visibleAt);

        assertThat(result.allVisible()).isTrue();
        assertThat(result.backlogSeconds()).isEqualTo(5.5);
        assertThat(result.keptUp()).isFalse();
    }
}

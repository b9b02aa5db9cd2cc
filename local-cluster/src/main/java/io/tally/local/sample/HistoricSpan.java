package io.tally.local.sample;

import io.tally.bolts.ingest.BackfillSpan;
import io.tally.topology.config.TallyConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The bundled sample, the benchmarks' workloads and the test suite's events are fixed data generated for November
 * 2026, each with its own (old) {@code receivedAt}. A live topology holds event times to the time it reads them, so
 * to it they are too late: the topologies that count them run as what they are, a backfill of old data. The span
 * runs from the first generated day to the day after tomorrow (records sent without any time of their own, and
 * events produced while the runner keeps running, are counted at their reading), with a de-duplication window that
 * covers it.
 */
public final class HistoricSpan {
    /** A day before the earliest generated event. */
    static final Instant FIRST_DAY = Instant.parse("2026-11-13T00:00:00Z");

    private HistoricSpan() {
    }

    /** From the first generated day to the day after tomorrow, by this machine's clock now. */
    public static BackfillSpan untilTomorrow() {
        return new BackfillSpan(FIRST_DAY, Instant.now().truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(2)));
    }

    /** {@code config} as a backfill of {@code span}, its window at least the span plus the lag allowance. */
    public static TallyConfig.Builder backfill(TallyConfig.Builder config, BackfillSpan span, Duration window,
            Duration lagAllowance) {
        return config.backfill(span).dedupWindow(windowCovering(span, window, lagAllowance));
    }

    /** {@code window}, or the span plus the lag allowance where that is longer. */
    public static Duration windowCovering(BackfillSpan span, Duration window, Duration lagAllowance) {
        Duration covering = span.length().plus(lagAllowance);
        return window.compareTo(covering) >= 0 ? window : covering;
    }
}

package io.tally.bolts.ingest;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;

/**
 * The event times a backfill topology counts: {@code [from, to)}. A topology without one holds every event time to
 * the time Tally first read the record ({@code ingest.max_lateness_ms} before it at most), so that no duplicate
 * outlives the record of its {@code messageId}; a backfill of old exports instead accepts exactly the span it was set
 * up for, under a topology name (and so a de-duplication state) of its own whose window covers the span.
 */
public record BackfillSpan(Instant from, Instant to) implements Serializable {
    private static final long serialVersionUID = 1L;

    public BackfillSpan {
        if (from == null || to == null) {
            throw new IllegalArgumentException("backfill: needs both 'from' and 'to' (ISO-8601 date-times)");
        }
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("backfill.to (" + to + ") must be after backfill.from (" + from + ")");
        }
    }

    public Duration length() {
        return Duration.between(from, to);
    }

    public boolean contains(long epochMillis) {
        return epochMillis >= from.toEpochMilli() && epochMillis < to.toEpochMilli();
    }
}

package io.tally.bolts.ingest;

import java.time.Instant;

/**
 * An event's time, from the sender's times, and the checks that hold it to its receipt and to Tally's own clock,
 * each refusal with its own reason.
 *
 * <p>When {@code sentAt} and {@code originalTimestamp} are both present the client clock is corrected,
 * {@code timestamp = receivedAt − (sentAt − originalTimestamp)}; otherwise {@code timestamp}, else
 * {@code originalTimestamp}, else {@code receivedAt}. {@code receivedAt} is the record's own field when present,
 * else the time the spout received the record. Timestamps are ISO-8601 date-times (an offset or {@code Z}; none
 * means UTC) or integer epoch milliseconds.
 *
 * <p>Tally's own clock: every one of those times is the sender's (a Kafka record's timestamp is the producer's,
 * unless the topic uses {@code LogAppendTime}). So each record is also held to the time Tally first read its batch
 * ({@code readAt}, the same on every replay): a receipt time ahead of it by more than the future tolerance is
 * {@code received_in_future}, an event time ahead of it likewise {@code too_far_in_future}, and an event time earlier
 * than it by more than the maximum lateness {@code too_late}, so no accepted copy of an event can be read more than
 * lateness + tolerance after another and outlive its {@code messageId}'s claim. A backfill topology
 * ({@link BackfillSpan}) accepts the event times of its span instead of the lateness bound. The checks against the
 * sender's own times come first, so a record wrong in both ways keeps the reason it always had.
 */
final class EventTimes {
    private final IngestSettings settings;
    /** The span a backfill topology counts; null for a topology that holds event times to its read time. */
    private final BackfillSpan backfill;

    EventTimes(IngestSettings settings, BackfillSpan backfill) {
        this.settings = settings;
        this.backfill = backfill;
    }

    /**
     * @param received the record's {@code receivedAt}, else when its source received it
     * @param receivedFromRecord whether {@code received} is the record's own field
     * @param sentAt the record's {@code sentAt}, or null; {@code originalTimestamp} and {@code timestamp} likewise
     * @param readAt when Tally first read the record's batch, by Tally's clock
     */
    long eventTime(long received, boolean receivedFromRecord, Long sentAt, Long originalTimestamp, Long timestamp,
            long readAt) throws InvalidRecord {
        long eventTime;
        if (sentAt != null && originalTimestamp != null) {
            try {
                eventTime = Math.subtractExact(received, Math.subtractExact(sentAt, originalTimestamp));
            } catch (ArithmeticException overflow) {
                throw new InvalidRecord(RejectReason.BAD_TIMESTAMP, "correcting the client clock by sentAt "
                        + sentAt + " − originalTimestamp " + originalTimestamp + " leaves the range of time");
            }
        } else if (timestamp != null) {
            eventTime = timestamp;
        } else if (originalTimestamp != null) {
            eventTime = originalTimestamp;
        } else {
            eventTime = received;
        }
        if (aheadMillis(eventTime, received) > settings.futureToleranceMillis()) {
            throw new InvalidRecord(RejectReason.TOO_FAR_IN_FUTURE, "event time " + Instant.ofEpochMilli(eventTime)
                    + " is more than " + settings.futureToleranceMillis() + " ms after its receipt at "
                    + Instant.ofEpochMilli(received));
        }
        if (aheadMillis(received, eventTime) > settings.maxLatenessMillis()) {
            throw new InvalidRecord(RejectReason.TOO_LATE, "event time " + Instant.ofEpochMilli(eventTime)
                    + " is more than " + settings.maxLatenessMillis() + " ms before its receipt at "
                    + Instant.ofEpochMilli(received));
        }
        checkAgainstReadTime(received, receivedFromRecord, eventTime, readAt);
        return eventTime;
    }

    /**
     * The receipt time a rejection is stored (and counted per hour) under: the source's, unless that is further ahead
     * of the read time than the tolerance, then the read time, so no sender's clock writes into a future hour.
     */
    long storedReceipt(long receivedAtMillis, long readAtMillis) {
        return aheadMillis(receivedAtMillis, readAtMillis) > settings.futureToleranceMillis()
                ? readAtMillis : receivedAtMillis;
    }

    /** Holds the sender's times to Tally's clock when it first read the record (see this class's comment). */
    private void checkAgainstReadTime(long received, boolean receivedFromRecord, long eventTime, long readAt)
            throws InvalidRecord {
        long tolerance = settings.futureToleranceMillis();
        if (aheadMillis(received, readAt) > tolerance) {
            throw new InvalidRecord(RejectReason.RECEIVED_IN_FUTURE, (receivedFromRecord ? "receivedAt "
                    : "the source's receipt time (the Kafka record timestamp) ") + Instant.ofEpochMilli(received)
                    + " is more than " + tolerance + " ms after Tally first read the record at "
                    + Instant.ofEpochMilli(readAt));
        }
        if (aheadMillis(eventTime, readAt) > tolerance) {
            throw new InvalidRecord(RejectReason.TOO_FAR_IN_FUTURE, "event time " + Instant.ofEpochMilli(eventTime)
                    + " is more than " + tolerance + " ms after Tally first read the record at "
                    + Instant.ofEpochMilli(readAt));
        }
        if (backfill != null) {
            if (!backfill.contains(eventTime)) {
                throw new InvalidRecord(RejectReason.OUTSIDE_BACKFILL_SPAN, "event time "
                        + Instant.ofEpochMilli(eventTime) + " is outside the backfill's span [" + backfill.from()
                        + ", " + backfill.to() + ")");
            }
        } else if (aheadMillis(readAt, eventTime) > settings.maxLatenessMillis()) {
            throw new InvalidRecord(RejectReason.TOO_LATE, "event time " + Instant.ofEpochMilli(eventTime)
                    + " is more than " + settings.maxLatenessMillis() + " ms before Tally first read the record at "
                    + Instant.ofEpochMilli(readAt) + " (old data is counted by a backfill topology)");
        }
    }

    /** How far {@code later} is after {@code earlier}; saturated, since a hostile timestamp may be near either end of long. */
    private static long aheadMillis(long later, long earlier) {
        try {
            return Math.subtractExact(later, earlier);
        } catch (ArithmeticException overflow) {
            return later > earlier ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
    }
}

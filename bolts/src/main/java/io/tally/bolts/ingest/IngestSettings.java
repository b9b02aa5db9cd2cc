package io.tally.bolts.ingest;

import java.io.Serializable;
import java.time.Duration;

/**
 * Limits and tolerances of the ingest tier. Every default is here, with why it is what it is; the {@code ingest.*}
 * keys of {@code tally.yaml} (TallyConfigSchema, module topology) override any of them.
 *
 * @param maxRecordBytes records larger than this are rejected unparsed ({@code too_large}). Default 32 KiB:
 *     Segment's own API refuses calls over 32 KB.
 * @param maxDepth objects/arrays nested deeper are rejected while parsing ({@code too_deep}). Default 16.
 * @param maxStringLength strings or names longer are rejected while parsing ({@code string_too_long}). Default 8 KiB.
 * @param maxProperties properties (and traits) beyond this count are rejected ({@code too_many_properties}). Default 256.
 * @param futureToleranceMillis an event time later than its receipt, or than the time Tally first read it, by more
 *     than this is rejected ({@code too_far_in_future}), and so is a receipt time later than that read
 *     ({@code received_in_future}). Default 1 hour: real clocks are skewed by minutes, not hours, and counting
 *     a future hour would show activity that has not happened.
 * @param rejectPayloadBytes how much of a rejected record is kept with its rejection. Default 4 KiB.
 * @param maxLatenessMillis an event time earlier than its receipt, or than the time Tally first read it, by more than
 *     this is rejected ({@code too_late}). Default 7 days: the de-duplication window must cover it plus the future
 *     tolerance and the lag allowance, so a producer's retry of an event arrives within the window or is too late,
 *     and no duplicate outlives the record of its {@code messageId}. Later events still land in their own (past)
 *     buckets.
 * @param maxMessageIdLength a {@code messageId} longer than this many characters (UTF-16 units) is rejected
 *     ({@code message_id_too_long}). Default 256: SDKs send UUIDs (36 characters), and every id is kept, as a
 *     de-duplication key, for the whole window.
 * @param rejectTtlDays how many days a row of {@code rejected_events} is kept after it was (last) written; 0 keeps
 *     rows for ever. Default 30: long enough to find and replay what a bad deployment rejected, short enough
 *     that stored payloads (personal data among them) do not pile up for ever.
 */
public record IngestSettings(int maxRecordBytes, int maxDepth, int maxStringLength, int maxProperties,
        long futureToleranceMillis, int rejectPayloadBytes, long maxLatenessMillis, int maxMessageIdLength,
        int rejectTtlDays) implements Serializable {

    private static final int DEFAULT_MAX_MESSAGE_ID_LENGTH = 256;
    private static final int DEFAULT_REJECT_TTL_DAYS = 30;
    /** Cassandra's largest TTL: 20 years. */
    private static final int MAX_TTL_DAYS = 20 * 365;

    public static final IngestSettings DEFAULTS = new IngestSettings(32 * 1024, 16, 8 * 1024, 256,
            Duration.ofHours(1).toMillis(), 4 * 1024, Duration.ofDays(7).toMillis(), DEFAULT_MAX_MESSAGE_ID_LENGTH,
            DEFAULT_REJECT_TTL_DAYS);

    /** The given limits with the default id length limit and reject TTL. */
    public IngestSettings(int maxRecordBytes, int maxDepth, int maxStringLength, int maxProperties,
            long futureToleranceMillis, int rejectPayloadBytes, long maxLatenessMillis) {
        this(maxRecordBytes, maxDepth, maxStringLength, maxProperties, futureToleranceMillis, rejectPayloadBytes,
                maxLatenessMillis, DEFAULT_MAX_MESSAGE_ID_LENGTH, DEFAULT_REJECT_TTL_DAYS);
    }

    public IngestSettings {
        positive(maxRecordBytes, "ingest.max_record_bytes");
        positive(maxDepth, "ingest.max_depth");
        positive(maxStringLength, "ingest.max_string_length");
        positive(maxProperties, "ingest.max_properties");
        if (futureToleranceMillis < 0) {
            throw new IllegalArgumentException("ingest.future_tolerance_ms: must not be negative, was " + futureToleranceMillis);
        }
        positive(rejectPayloadBytes, "ingest.reject_payload_bytes");
        positive(maxLatenessMillis, "ingest.max_lateness_ms");
        positive(maxMessageIdLength, "ingest.max_message_id_length");
        if (rejectTtlDays < 0 || rejectTtlDays > MAX_TTL_DAYS) {
            throw new IllegalArgumentException("ingest.reject_ttl_days: must be from 0 (keep for ever) to "
                    + MAX_TTL_DAYS + " (Cassandra's longest TTL), was " + rejectTtlDays);
        }
    }

    /** How long a rejected record is kept; zero for ever. */
    public Duration rejectTtl() {
        return Duration.ofDays(rejectTtlDays);
    }

    /** The same settings with another maximum lateness. */
    public IngestSettings withMaxLatenessMillis(long millis) {
        return new IngestSettings(maxRecordBytes, maxDepth, maxStringLength, maxProperties, futureToleranceMillis,
                rejectPayloadBytes, millis, maxMessageIdLength, rejectTtlDays);
    }

    private static void positive(long value, String key) {
        if (value <= 0) {
            throw new IllegalArgumentException(key + ": must be positive, was " + value);
        }
    }
}

package io.tally.bolts.ingest;

import java.util.Locale;

/**
 * Why an input record was not accepted. The {@link #code()} strings are stable: they are stored with every
 * rejected record and counted per hour, so analysts and alerts may depend on them.
 */
public enum RejectReason {
    /** The record has no bytes, or only white space. */
    EMPTY_RECORD,
    /** Larger than the record size limit. */
    TOO_LARGE,
    /** The bytes are not valid UTF-8. */
    INVALID_UTF8,
    /** Not well-formed JSON (including NaN, trailing garbage, truncation). */
    INVALID_JSON,
    /** JSON, but not an object. */
    NOT_AN_OBJECT,
    /** Objects or arrays nested deeper than the limit. */
    TOO_DEEP,
    /** A string or field name longer than the limit. */
    STRING_TOO_LONG,
    /** More properties (or traits) than the limit. */
    TOO_MANY_PROPERTIES,
    /** A known field has the wrong JSON type, e.g. {@code "properties": 5}. */
    BAD_FIELD_TYPE,
    /** No {@code type}. */
    MISSING_TYPE,
    /** A {@code type} that is not a Segment call type. */
    UNKNOWN_TYPE,
    /** Neither {@code userId} nor {@code anonymousId}. */
    MISSING_USER,
    /** A track call without an {@code event} name. */
    MISSING_EVENT_NAME,
    /** A track call named {@code *}, the name the all-events totals are counted under. */
    RESERVED_EVENT_NAME,
    /**
     * A {@code messageId} holding a control character (U+0000–U+001F, U+007F–U+009F). Tally keys a record sent
     * without an id by an id that starts with U+0000, so a sender could otherwise name another record's key.
     */
    INVALID_MESSAGE_ID,
    /** A {@code messageId} longer than {@code ingest.max_message_id_length}. */
    MESSAGE_ID_TOO_LONG,
    /** A timestamp field that is not an ISO-8601 date-time. */
    BAD_TIMESTAMP,
    /**
     * An event time further ahead of its receipt, or of the time Tally first read the record, than
     * {@code ingest.future_tolerance_ms} allows.
     */
    TOO_FAR_IN_FUTURE,
    /**
     * Event time earlier than its receipt, or than the time Tally first read the record, by more than
     * {@code ingest.max_lateness_ms}: its {@code messageId} may already be forgotten, so it could be counted twice.
     */
    TOO_LATE,
    /**
     * A receipt time (the record's {@code receivedAt}, or the Kafka record's timestamp) later than the time Tally
     * first read the record by more than {@code ingest.future_tolerance_ms}: no record is received after it is read,
     * so the sender's clock or the record is wrong, and its times cannot be trusted to place it.
     */
    RECEIVED_IN_FUTURE,
    /** In a backfill topology, an event time outside the span the backfill covers ({@code backfill.from}/{@code to}). */
    OUTSIDE_BACKFILL_SPAN,
    /** A {@code drop_events} transform matched: dropped on purpose, still kept and counted. */
    DROPPED_BY_RULE,
    /** Tally's own code failed on this record (a bug): kept, with the error, rather than lost or crashing a worker. */
    INGEST_ERROR;

    private final String code = name().toLowerCase(Locale.ROOT);

    /** The stable lower_snake code, e.g. {@code invalid_json}. */
    public String code() {
        return code;
    }
}

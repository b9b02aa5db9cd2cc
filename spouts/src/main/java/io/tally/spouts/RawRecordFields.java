package io.tally.spouts;

import org.apache.storm.tuple.Fields;

/**
 * What every Tally spout reads, whatever its source: one raw input record and where it came from. On their way to
 * the ingest tier these travel in {@link RecordChunk}s ({@link MeteredSpout} chunks them); the ingest tier passes
 * {@link #SOURCE} and {@link #POSITION} on with each record's outcome.
 *
 * <p>Both spouts emit exactly these fields so that one parse/validate/transform path serves them all,
 * and so that a rejected record can be stored under its source coordinates: {@code (source, position)}
 * names one input record for ever, which is what makes re-storing it on a replay idempotent.
 */
public final class RawRecordFields {
    /** The record's bytes as read (a Kafka record value, or one line of a file without its line end). */
    public static final String PAYLOAD = "payload";
    /** Where the record was read: {@code kafka:<topic>:<partition>} or {@code file:<file key>}. */
    public static final String SOURCE = "source";
    /** The record's position in its source: the Kafka offset, or the byte offset of the line in the file. */
    public static final String POSITION = "position";
    /** When the record reached Tally's input, epoch milliseconds (Kafka record timestamp, or file read time). */
    public static final String RECEIVED_AT = "received_at";

    public static final Fields FIELDS = new Fields(PAYLOAD, SOURCE, POSITION, RECEIVED_AT);

    private RawRecordFields() {
    }
}

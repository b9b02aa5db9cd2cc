package io.tally.bolts.ingest;

import java.util.Objects;

/**
 * An input record that was not accepted, with everything needed to find it again and to see why.
 *
 * @param reason why it was rejected
 * @param detail what exactly was wrong, for a person
 * @param source where it was read ({@code kafka:<topic>:<partition>} or {@code file:<key>})
 * @param position its offset in that source; {@code (source, position)} names the record for ever
 * @param receivedAtMillis when it reached the pipeline
 * @param payload the record as text, cut at the payload cap, invalid UTF-8 replaced
 * @param truncated whether {@code payload} was cut
 */
public record Rejection(RejectReason reason, String detail, String source, long position, long receivedAtMillis,
        String payload, boolean truncated) {

    public Rejection {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(payload, "payload");
    }
}

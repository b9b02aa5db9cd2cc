package io.tally.bolts.ingest;

import io.tally.bolts.event.Event;

/** What became of one input record: exactly one of an accepted event or a rejection. */
public sealed interface IngestResult {

    record Accepted(Event event) implements IngestResult {
    }

    record Rejected(Rejection rejection) implements IngestResult {
    }
}

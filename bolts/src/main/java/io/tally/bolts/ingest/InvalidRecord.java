package io.tally.bolts.ingest;

/** Why a record is rejected, thrown inside ingestion only; cheap because it carries no stack trace. */
final class InvalidRecord extends Exception {
    private static final long serialVersionUID = 1L;
    final transient RejectReason reason;
    final String detail;

    InvalidRecord(RejectReason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
        this.detail = detail;
    }
}

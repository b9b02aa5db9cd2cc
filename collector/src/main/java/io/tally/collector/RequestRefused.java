package io.tally.collector;

/** A request the collector refuses as a whole, with a message that says what to change. */
public final class RequestRefused extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient Refusal refusal;
    private final long retryAfterSeconds;

    public RequestRefused(Refusal refusal, String message) {
        this(refusal, message, 0);
    }

    public RequestRefused(Refusal refusal, String message, long retryAfterSeconds) {
        super(message, null, false, false);
        this.refusal = refusal;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public Refusal refusal() {
        return refusal;
    }

    /** Seconds for the {@code Retry-After} header; 0 when the request should not be retried as it is. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}

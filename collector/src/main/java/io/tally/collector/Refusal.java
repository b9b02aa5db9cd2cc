package io.tally.collector;

/**
 * Why a request was refused: the HTTP status it gets and the reason its JSON error and the rejection metric carry.
 * A refused request writes nothing.
 */
public enum Refusal {
    UNAUTHORIZED(401, "unauthorized"),
    /** Not readable as HTTP, such as headers over the codec's limit. */
    BAD_REQUEST(400, "bad_request"),
    MESSAGE_TOO_LARGE(400, "message_too_large"),
    BATCH_TOO_LARGE(400, "batch_too_large"),
    MALFORMED_JSON(400, "malformed_json"),
    INVALID_UTF8(400, "invalid_utf8"),
    INVALID_GZIP(400, "invalid_gzip"),
    UNSUPPORTED_ENCODING(415, "unsupported_encoding"),
    NOT_FOUND(404, "not_found"),
    METHOD_NOT_ALLOWED(405, "method_not_allowed"),
    REQUEST_TIMEOUT(408, "request_timeout"),
    RATE_LIMITED(429, "rate_limited"),
    OVERLOADED(503, "overloaded"),
    /** A connection past {@code max_connections}: answered at once and closed. */
    TOO_MANY_CONNECTIONS(503, "too_many_connections"),
    KAFKA_UNAVAILABLE(503, "kafka_unavailable");

    private final int status;
    private final String reason;

    Refusal(int status, String reason) {
        this.status = status;
        this.reason = reason;
    }

    public int status() {
        return status;
    }

    /** The {@code error} of the JSON answer and the {@code reason} tag of the rejection metric. */
    public String reason() {
        return reason;
    }

    /** Whether the client should send the same request again later (it gets a {@code Retry-After}). */
    public boolean retryable() {
        return status == 429 || status == 503;
    }
}

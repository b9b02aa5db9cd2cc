package io.tally.dashboard;

/** A request the API refuses with 400 and this message (a parameter missing, malformed or not allowed). */
final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadRequest(String message) {
        super(message);
    }
}

package io.tally.query;

/** A query that cannot be answered as asked, with a message for the person who asked. */
public final class QueryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public QueryException(String message) {
        super(message);
    }
}

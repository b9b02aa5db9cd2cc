package io.tally.local.server;

/** A server that did not start: which one, why, and the end of its log. Meant to be shown to a person as is. */
public final class ServerStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ServerStartException(String message) {
        super(message);
    }

    public ServerStartException(String message, Throwable cause) {
        super(message, cause);
    }
}

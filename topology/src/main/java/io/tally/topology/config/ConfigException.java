package io.tally.topology.config;

/**
 * A configuration that Tally will not run with. The message names the key and the problem, e.g.
 * {@code kafka.max_poll_records: must be a positive integer, was -5}; it is meant to be shown as is.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }

    static ConfigException at(String key, String problem) {
        return new ConfigException(key + ": " + problem);
    }
}

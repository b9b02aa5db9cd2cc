package io.tally.dashboard;

/**
 * Where a deployment stands (lag, last commit, rates), read by whoever can: the status reader needs Storm's and
 * Kafka's classes, which the dashboard does not carry, so the process that starts it passes one in.
 */
@FunctionalInterface
public interface StatusSource {
    /** Nothing to report: the overview shows what the tables say and no status panel. */
    StatusSource NONE = () -> null;

    /** An object Jackson writes as JSON, or null when there is no status to show. */
    Object read() throws Exception;
}

package io.tally.collector;

/**
 * One message as written to Kafka.
 *
 * @param key the user it belongs to (its {@code userId}, else its {@code anonymousId}), so one user's events stay in
 *        one partition, in order; null when it has neither
 * @param value the message as JSON, with the {@code receivedAt} and {@code sentAt} the collector set
 */
public record EventRecord(byte[] key, byte[] value) {
}

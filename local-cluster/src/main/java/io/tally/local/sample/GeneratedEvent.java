package io.tally.local.sample;

/**
 * One generated input record and what Tally should make of it, as the generator knows it, not as
 * Tally's parser would compute it: tests compare Tally's tables with these facts.
 *
 * @param json the record as produced to Kafka or written to a file
 * @param countName the name the event is counted under
 * @param eventTimeMillis the event time after clock-skew correction, epoch milliseconds
 * @param userKey userId, else anonymousId
 * @param messageId the event's messageId
 */
public record GeneratedEvent(byte[] json, String countName, long eventTimeMillis, String userKey, String messageId) {
}

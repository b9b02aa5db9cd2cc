package io.tally.bolts.event;

import java.util.Map;
import java.util.Objects;

/**
 * One accepted event: a validated Segment call with its event time settled.
 *
 * <p>{@link #properties()}, {@link #context()} and {@link #traits()} hold JSON values as Java values:
 * {@code String}, {@code Long}, {@code Double}, {@code Boolean}, {@code null}, {@code List} and {@code Map}.
 */
public final class Event {
    private final EventType type;
    private final String countName;
    private final String messageId;
    private final String userId;
    private final String anonymousId;
    private final long timestampMillis;
    private final long receivedAtMillis;
    private final Map<String, Object> properties;
    private final Map<String, Object> context;
    private final Map<String, Object> traits;

    public Event(EventType type, String countName, String messageId, String userId, String anonymousId,
            long timestampMillis, long receivedAtMillis, Map<String, Object> properties,
            Map<String, Object> context, Map<String, Object> traits) {
        this.type = Objects.requireNonNull(type, "type");
        this.countName = Objects.requireNonNull(countName, "countName");
        if (userId == null && anonymousId == null) {
            throw new IllegalArgumentException("an event needs a userId or an anonymousId");
        }
        this.messageId = messageId;
        this.userId = userId;
        this.anonymousId = anonymousId;
        this.timestampMillis = timestampMillis;
        this.receivedAtMillis = receivedAtMillis;
        this.properties = properties == null ? Map.of() : properties;
        this.context = context == null ? Map.of() : context;
        this.traits = traits == null ? Map.of() : traits;
    }

    public EventType type() {
        return type;
    }

    /** The name the event is counted under: a track call's event name, else its type's fixed name. */
    public String countName() {
        return countName;
    }

    /** The producer's id for this call; null when the producer sent none. */
    public String messageId() {
        return messageId;
    }

    public String userId() {
        return userId;
    }

    public String anonymousId() {
        return anonymousId;
    }

    /** Who did it: the userId, else the anonymousId. */
    public String userKey() {
        return userId != null ? userId : anonymousId;
    }

    /** Event time, epoch milliseconds UTC, after client clock-skew correction. */
    public long timestampMillis() {
        return timestampMillis;
    }

    /** When the event reached the pipeline, epoch milliseconds. */
    public long receivedAtMillis() {
        return receivedAtMillis;
    }

    public Map<String, Object> properties() {
        return properties;
    }

    public Map<String, Object> context() {
        return context;
    }

    public Map<String, Object> traits() {
        return traits;
    }

    /** The same event counted under another name. */
    public Event withCountName(String name) {
        return new Event(type, name, messageId, userId, anonymousId, timestampMillis, receivedAtMillis, properties,
                context, traits);
    }

    /** The same event with other properties. */
    public Event withProperties(Map<String, Object> newProperties) {
        return new Event(type, countName, messageId, userId, anonymousId, timestampMillis, receivedAtMillis,
                newProperties, context, traits);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Event e && type == e.type && countName.equals(e.countName)
                && Objects.equals(messageId, e.messageId) && Objects.equals(userId, e.userId)
                && Objects.equals(anonymousId, e.anonymousId) && timestampMillis == e.timestampMillis
                && receivedAtMillis == e.receivedAtMillis && properties.equals(e.properties)
                && context.equals(e.context) && traits.equals(e.traits);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, countName, messageId, userKey(), timestampMillis);
    }

    @Override
    public String toString() {
        return "Event{" + type.segmentName() + " '" + countName + "' messageId=" + messageId + " user=" + userKey()
                + " timestamp=" + java.time.Instant.ofEpochMilli(timestampMillis) + "}";
    }
}

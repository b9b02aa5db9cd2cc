package io.tally.bolts.transform;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.io.Serializable;
import java.util.List;

/**
 * One step of the transform tier as written in {@code tally.yaml}: a single-key mapping naming the step, e.g.
 * {@code - rename_event: {from: order_completed, to: Order Completed}}. Steps run in order on every accepted
 * event; see {@link TransformConfig}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.WRAPPER_OBJECT)
@JsonSubTypes({
    @JsonSubTypes.Type(value = TransformStep.RenameEvent.class, name = "rename_event"),
    @JsonSubTypes.Type(value = TransformStep.NormalizeEventNames.class, name = "normalize_event_names"),
    @JsonSubTypes.Type(value = TransformStep.DropEvents.class, name = "drop_events"),
    @JsonSubTypes.Type(value = TransformStep.DropProperties.class, name = "drop_properties"),
    @JsonSubTypes.Type(value = TransformStep.RenameProperty.class, name = "rename_property"),
    @JsonSubTypes.Type(value = TransformStep.DeriveProperty.class, name = "derive_property"),
})
public sealed interface TransformStep extends Serializable {

    /** The step's name as written in the configuration. */
    String kind();

    /** Events named {@code from} are counted as {@code to}. */
    record RenameEvent(@JsonProperty("from") String from, @JsonProperty("to") String to) implements TransformStep {
        public String kind() {
            return "rename_event";
        }
    }

    /** Event names changed to one case: {@code lower}, {@code upper} or {@code title} ("order completed" → "Order Completed"). */
    record NormalizeEventNames(@JsonProperty("case") String letterCase) implements TransformStep {
        public String kind() {
            return "normalize_event_names";
        }
    }

    /**
     * Events named in {@code names} are dropped: rejected with reason {@code dropped_by_rule}, so they are kept
     * and counted as rejects, never lost silently. With {@code when_property} and {@code equals}, only those
     * whose property has that value (compared as text).
     */
    record DropEvents(@JsonProperty("names") List<String> names, @JsonProperty("when_property") String whenProperty,
            @JsonProperty("equals") String equalsValue) implements TransformStep {
        public String kind() {
            return "drop_events";
        }
    }

    /** These properties are removed from every event (say, personal data that must not be stored). */
    record DropProperties(@JsonProperty("names") List<String> names) implements TransformStep {
        public String kind() {
            return "drop_properties";
        }
    }

    /** Property {@code from} is renamed {@code to} (an existing {@code to} is overwritten). */
    record RenameProperty(@JsonProperty("from") String from, @JsonProperty("to") String to) implements TransformStep {
        public String kind() {
            return "rename_property";
        }
    }

    /**
     * Property {@code name} is set from the value at {@code from}, a dotted path into the event such as
     * {@code context.os.name} or {@code context.location.country} ({@code context.}, {@code traits.} or
     * {@code properties.}), when the event has a value there and no such property yet.
     */
    record DeriveProperty(@JsonProperty("name") String name, @JsonProperty("from") String from) implements TransformStep {
        public String kind() {
            return "derive_property";
        }
    }
}

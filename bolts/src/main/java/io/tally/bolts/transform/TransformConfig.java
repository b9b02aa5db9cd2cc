package io.tally.bolts.transform;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The {@code transforms} section of {@code tally.yaml}:
 *
 * <pre>
 * transforms:
 *   steps:
 *     - normalize_event_names: {case: title}
 *     - rename_event: {from: Purchase, to: Order Completed}
 *     - drop_events: {names: [Debug Ping]}
 *     - drop_properties: {names: [email, password]}
 *     - rename_property: {from: sku, to: product_id}
 *     - derive_property: {name: platform, from: context.os.name}
 *     - derive_property: {name: country, from: context.location.country}
 *   breakdown_properties: [platform, country, plan]
 * </pre>
 *
 * @param steps applied in order to every accepted event
 * @param breakdownProperties the allowlist of properties that counts may be broken down by
 */
public record TransformConfig(List<TransformStep> steps, List<String> breakdownProperties) implements Serializable {

    public static final TransformConfig NONE = new TransformConfig(List.of(), List.of());

    @JsonCreator
    public TransformConfig(@JsonProperty("steps") List<TransformStep> steps,
            @JsonProperty("breakdown_properties") List<String> breakdownProperties) {
        // Nulls (an empty "- " in YAML) are kept so that compiling can name the entry.
        this.steps = steps == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(steps));
        this.breakdownProperties = breakdownProperties == null ? List.of()
                : Collections.unmodifiableList(new ArrayList<>(breakdownProperties));
    }
}

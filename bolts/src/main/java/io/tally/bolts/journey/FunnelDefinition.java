package io.tally.bolts.journey;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;
import java.util.List;

/**
 * One entry of the {@code funnels} section of {@code tally.yaml}, as written:
 *
 * <pre>
 * funnels:
 *   - name: checkout
 *     window_days: 7
 *     steps:
 *       - {event: Product Viewed}
 *       - {event: Product Added}
 *       - {event: Order Completed}
 * </pre>
 *
 * The steps stay in their YAML form, as segment rules do, so {@link CompiledFunnels} can name the path of a mistake.
 *
 * @param name identifies the funnel in its tables; renaming it starts a new funnel
 * @param steps 2 to 10 event predicates in the segment rule language, in the order a user must do them
 * @param windowDays the conversion window: a step counts when done within this many days of the first step (null:
 *     {@link CompiledFunnels#DEFAULT_WINDOW_DAYS})
 */
public record FunnelDefinition(String name, List<Object> steps, Integer windowDays) implements Serializable {

    @JsonCreator
    public FunnelDefinition(@JsonProperty("name") String name, @JsonProperty("steps") List<Object> steps,
            @JsonProperty("window_days") Integer windowDays) {
        this.name = name;
        this.steps = steps;
        this.windowDays = windowDays;
    }
}

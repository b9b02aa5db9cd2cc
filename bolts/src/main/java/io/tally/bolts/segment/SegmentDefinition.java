package io.tally.bolts.segment;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;

/**
 * One entry of the {@code segments} section of {@code tally.yaml}, as written:
 *
 * <pre>
 * segments:
 *   - name: buyers
 *     rule: {event: Order Completed}
 *   - name: heavy_listeners
 *     rule: {at_least: 10, per: day, where: {event: Song Played}}
 * </pre>
 *
 * The rule stays in its YAML form (maps, lists and scalars, all serializable) so that {@link CompiledSegments} can
 * name the exact path of a mistake; it is checked when the configuration is loaded and compiled once per task, never
 * read per event. The rule language is described on {@link CompiledSegments}.
 *
 * @param name identifies the segment in every segment table; renaming it starts a new segment
 * @param rule the rule as read from YAML
 */
public record SegmentDefinition(String name, Object rule) implements Serializable {

    @JsonCreator
    public SegmentDefinition(@JsonProperty("name") String name, @JsonProperty("rule") Object rule) {
        this.name = name;
        this.rule = rule;
    }
}

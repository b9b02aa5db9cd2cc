package io.tally.bolts.journey;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;
import java.util.List;

/**
 * The {@code sessions} section of {@code tally.yaml}, as written; sessions are kept only when the section is present:
 *
 * <pre>
 * sessions:
 *   gap_minutes: 30                  # default 30
 *   property: context.device.type    # optional: sessions per value of this field
 *   values: [ios, android, web]      # with property: the values kept apart; others count as "other"
 * </pre>
 *
 * @param gapMinutes how long without an event of the user ends their session (null: {@link CompiledSessions#DEFAULT_GAP_MINUTES})
 * @param property a dotted path into properties, context or traits (null: one session stream per user)
 * @param values the property's values kept apart, at most {@link CompiledSessions#MAX_VALUES}
 */
public record SessionDefinition(Integer gapMinutes, String property, List<String> values) implements Serializable {

    @JsonCreator
    public SessionDefinition(@JsonProperty("gap_minutes") Integer gapMinutes,
            @JsonProperty("property") String property, @JsonProperty("values") List<String> values) {
        this.gapMinutes = gapMinutes;
        this.property = property;
        this.values = values == null ? null : List.copyOf(values);
    }
}

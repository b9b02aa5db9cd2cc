package io.tally.bolts.journey;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.Serializable;

/**
 * One entry of the {@code retention} section of {@code tally.yaml}, as written:
 *
 * <pre>
 * retention:
 *   - name: signup_return
 *     start: {event: Signed Up}
 *     return: {event: Signed In}     # default: any event
 *     days: 30                       # default 30
 *     weeks: 12                      # default 12
 * </pre>
 *
 * @param name identifies the definition in its tables; unique across funnels and retention
 * @param start the event predicate whose earliest match puts the user in the cohort of its UTC day
 * @param returns the event predicate that counts as a return (null: any event)
 * @param days daily periods counted (null: {@link CompiledRetention#DEFAULT_DAYS})
 * @param weeks weekly periods counted (null: {@link CompiledRetention#DEFAULT_WEEKS})
 */
public record RetentionDefinition(String name, Object start, Object returns, Integer days, Integer weeks)
        implements Serializable {

    @JsonCreator
    public RetentionDefinition(@JsonProperty("name") String name, @JsonProperty("start") Object start,
            @JsonProperty("return") Object returns, @JsonProperty("days") Integer days,
            @JsonProperty("weeks") Integer weeks) {
        this.name = name;
        this.start = start;
        this.returns = returns;
        this.days = days;
        this.weeks = weeks;
    }
}

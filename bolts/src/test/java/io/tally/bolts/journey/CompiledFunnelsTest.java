package io.tally.bolts.journey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.bolts.event.Event;
import io.tally.bolts.event.EventType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompiledFunnelsTest {
    private static final Map<String, Object> VIEWED = Map.of("event", "Product Viewed");
    private static final Map<String, Object> BOUGHT = Map.of("event", "Order Completed");

    private static Event event(String name, double price) {
        return new Event(EventType.TRACK, name, "m1", "u1", null, 1L, 2L, Map.of("price", price), Map.of(), Map.of());
    }

    @Test
    void stepMaskHasABitPerMatchingStep() {
        Map<String, Object> expensive = Map.of("field", "properties.price", "gte", 100);
        CompiledFunnels.Funnel funnel = CompiledFunnels.compile(List.of(new FunnelDefinition("f",
                List.of(VIEWED, expensive, BOUGHT), null))).funnels().get(0);
        assertThat(funnel.stepMask(event("Product Viewed", 5))).isEqualTo(0b001);
        assertThat(funnel.stepMask(event("Order Completed", 150))).isEqualTo(0b110);
        assertThat(funnel.stepMask(event("Signed Up", 5))).isZero();
        assertThat(funnel.windowDays()).isEqualTo(CompiledFunnels.DEFAULT_WINDOW_DAYS);
    }

    @Test
    void mistakesNameTheirPath() {
        assertThatThrownBy(() -> CompiledFunnels.compile(List.of(new FunnelDefinition("f", List.of(VIEWED), 1))))
                .hasMessage("funnels[0].steps: must be a list of 2 to 10 event predicates, was 1 steps");
        assertThatThrownBy(() -> CompiledFunnels.compile(List.of(new FunnelDefinition("f",
                List.of(VIEWED, Map.of("field", "properties.price", "equal", 1)), 1))))
                .hasMessageStartingWith("funnels[0].steps[1]");
        assertThatThrownBy(() -> CompiledFunnels.compile(List.of(new FunnelDefinition("f", List.of(VIEWED, BOUGHT),
                0)))).hasMessage("funnels[0].window_days: must be 1 to 366, was 0");
        assertThatThrownBy(() -> CompiledFunnels.compile(List.of(new FunnelDefinition("f", List.of(VIEWED, BOUGHT),
                1), new FunnelDefinition("f", List.of(VIEWED, BOUGHT), 1))))
                .hasMessage("funnels[1].name: duplicate funnel name 'f'");
        assertThatThrownBy(() -> CompiledFunnels.compile(List.of(new FunnelDefinition("a b", List.of(VIEWED, BOUGHT),
                1)))).hasMessageStartingWith("funnels[0].name: must be 1 to 100 letters");
    }
}

package io.tally.bolts.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.bolts.event.Event;
import io.tally.bolts.event.EventType;
import io.tally.bolts.transform.TransformStep.DeriveProperty;
import io.tally.bolts.transform.TransformStep.DropEvents;
import io.tally.bolts.transform.TransformStep.DropProperties;
import io.tally.bolts.transform.TransformStep.NormalizeEventNames;
import io.tally.bolts.transform.TransformStep.RenameEvent;
import io.tally.bolts.transform.TransformStep.RenameProperty;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompiledTransformsTest {
    private static final Event EVENT = new Event(EventType.TRACK, "purchase", "m1", "u1", null, 1L, 2L,
            Map.of("sku", "s-1", "email", "a@b.c", "debug", true),
            Map.of("os", Map.of("name", "iOS"), "location", Map.of("country", "DE")), Map.of());

    private static CompiledTransforms.Outcome apply(TransformStep... steps) {
        return CompiledTransforms.compile(new TransformConfig(List.of(steps), List.of())).apply(EVENT);
    }

    @Test
    void renameEvent() {
        assertThat(apply(new RenameEvent("purchase", "Order Completed")).event().countName()).isEqualTo("Order Completed");
        assertThat(apply(new RenameEvent("other", "x")).event()).isSameAs(EVENT);
    }

    @Test
    void renamingAnEventToTheAllEventsNameIsRefused() {
        assertThatThrownBy(() -> apply(new RenameEvent("purchase", "x"), new RenameEvent("x", "*")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("transforms.steps[1].rename_event.to: '*' is reserved (the all-events total and active"
                        + " users are counted under it), so no event may be renamed to it");
    }

    @Test
    void normalizeEventNames() {
        assertThat(apply(new NormalizeEventNames("title")).event().countName()).isEqualTo("Purchase");
        assertThat(apply(new NormalizeEventNames("UPPER")).event().countName()).isEqualTo("PURCHASE");
        assertThat(apply(new RenameEvent("purchase", "order_COMPLETED"), new NormalizeEventNames("title"))
                .event().countName()).isEqualTo("Order_Completed");
    }

    @Test
    void dropEventsNamesTheRule() {
        CompiledTransforms.Outcome dropped = apply(new RenameEvent("x", "y"), new DropEvents(List.of("purchase"), null, null));
        assertThat(dropped.dropped()).isTrue();
        assertThat(dropped.droppedBy()).isEqualTo("transforms.steps[1] (drop_events)");
        assertThat(apply(new DropEvents(List.of("purchase"), "debug", "true")).dropped()).isTrue();
        assertThat(apply(new DropEvents(List.of("purchase"), "debug", "false")).dropped()).isFalse();
    }

    @Test
    void dropAndRenameProperties() {
        Event event = apply(new DropProperties(List.of("email", "absent")), new RenameProperty("sku", "product_id")).event();
        assertThat(event.properties()).isEqualTo(Map.of("product_id", "s-1", "debug", true));
    }

    @Test
    void deriveFromContextWithoutOverwriting() {
        Event event = apply(new DeriveProperty("platform", "context.os.name"),
                new DeriveProperty("country", "context.location.country"),
                new DeriveProperty("sku", "context.os.name"),
                new DeriveProperty("missing", "context.device.type")).event();
        assertThat(event.properties()).containsEntry("platform", "iOS").containsEntry("country", "DE")
                .containsEntry("sku", "s-1").doesNotContainKey("missing");
    }

    @Test
    void invalidStepsNameTheirKey() {
        assertThatThrownBy(() -> CompiledTransforms.compile(new TransformConfig(
                List.of(new RenameEvent("a", "b"), new RenameEvent("", "b")), List.of())))
                .hasMessage("transforms.steps[1].rename_event.from: must not be empty");
        assertThatThrownBy(() -> CompiledTransforms.compile(new TransformConfig(
                List.of(new NormalizeEventNames("camel")), List.of())))
                .hasMessage("transforms.steps[0].normalize_event_names.case: must be lower, upper or title, was 'camel'");
        assertThatThrownBy(() -> CompiledTransforms.compile(new TransformConfig(
                List.of(new DeriveProperty("p", "device.type")), List.of())))
                .hasMessageStartingWith("transforms.steps[0].derive_property.from: must be a dotted path");
        assertThatThrownBy(() -> CompiledTransforms.compile(new TransformConfig(
                List.of(new DropEvents(List.of(), null, null)), List.of())))
                .hasMessage("transforms.steps[0].drop_events.names: must list at least one name");
        assertThatThrownBy(() -> CompiledTransforms.compile(new TransformConfig(Arrays.asList((TransformStep) null),
                List.of()))).hasMessageStartingWith("transforms.steps[0]: is empty");
        assertThatThrownBy(() -> CompiledTransforms.compile(new TransformConfig(List.of(), List.of("plan", " "))))
                .hasMessage("transforms.breakdown_properties[1]: must not be empty");
    }
}

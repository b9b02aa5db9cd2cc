package io.tally.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.topology.config.TallyConfig;
import io.tally.topology.config.TallyConfigLoader;
import java.util.Map;
import org.apache.storm.generated.StormTopology;
import org.junit.jupiter.api.Test;

class TallyTopologyTest {
    private static final TallyConfig WITH_SEGMENT = TallyConfigLoader.withEnvironment(Map.of()).parse("""
            kafka: {bootstrap_servers: b, topics: [t]}
            segments:
              - {name: buyers, rule: {event: Order Completed}}
            """);

    @Test
    void segmentsOnlyBuildsNoCountsButTheSegmentStates() {
        StormTopology full = TallyTopology.build(WITH_SEGMENT, TallyTopology.Scope.FULL, StateWrapper.NONE);
        StormTopology segments = TallyTopology.build(WITH_SEGMENT, TallyTopology.Scope.SEGMENTS_ONLY, StateWrapper.NONE);
        assertThat(segments.get_bolts().size()).isLessThan(full.get_bolts().size());
        StormTopology none = TallyTopology.build(WITH_SEGMENT.toBuilder().segments(java.util.List.of()).build());
        assertThat(none.get_bolts().size()).isLessThan(full.get_bolts().size());
    }

    @Test
    void segmentsOnlyNeedsASegment() {
        TallyConfig noSegments = WITH_SEGMENT.toBuilder().segments(java.util.List.of()).build();
        assertThatThrownBy(() -> TallyTopology.build(noSegments, TallyTopology.Scope.SEGMENTS_ONLY, StateWrapper.NONE))
                .hasMessage("a segments-only topology needs at least one segment");
    }
}

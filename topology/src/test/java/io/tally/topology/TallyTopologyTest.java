package io.tally.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.bolts.transform.TransformConfig;
import io.tally.topology.config.BatchSettings;
import io.tally.topology.config.TallyConfig;
import io.tally.topology.config.TallyConfigLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.storm.generated.StormTopology;
import org.junit.jupiter.api.Test;

class TallyTopologyTest {
    private static final TallyConfig WITH_SEGMENT = TallyConfigLoader.withEnvironment(Map.of()).parse("""
            kafka: {bootstrap_servers: b, topics: [t]}
            segments:
              - {name: buyers, rule: {event: Order Completed}}
            """);

    private static final List<String> SEGMENT_TABLES = List.of("segment_progress", "segment_members", "user_segments",
            "segment_sizes_by_day");

    @Test
    void segmentsOnlyBuildsNoCountsButTheSegmentStates() {
        assertThat(statesOf(WITH_SEGMENT, TallyTopology.Scope.SEGMENTS_ONLY))
                .containsExactlyInAnyOrder("seen_messages", "segment_progress", "segment_members", "user_segments",
                        "segment_sizes_by_day");
        assertThat(statesOf(WITH_SEGMENT, TallyTopology.Scope.FULL)).containsAll(SEGMENT_TABLES)
                .contains("event_counts_by_hour", "unique_users_by_day", "rejected_events");
        assertThat(statesOf(WITH_SEGMENT.toBuilder().segments(List.of()).build(), TallyTopology.Scope.FULL))
                .doesNotContainAnyElementsOf(SEGMENT_TABLES)
                .contains("event_counts_by_hour");
    }

    @Test
    void journeysOnlyBuildsNoCountsOrSegmentsButTheJourneyStates() {
        TallyConfig withJourneys = TallyConfigLoader.withEnvironment(Map.of()).parse("""
                kafka: {bootstrap_servers: b, topics: [t]}
                segments:
                  - {name: buyers, rule: {event: Order Completed}}
                funnels:
                  - {name: checkout, steps: [{event: Product Viewed}, {event: Order Completed}]}
                sessions: {}
                """);
        assertThat(statesOf(withJourneys, TallyTopology.Scope.JOURNEYS_ONLY)).containsExactlyInAnyOrder(
                "seen_messages", "user_journeys", "funnel_steps_by_day", "funnel_step_ms_by_day",
                "funnel_step_times_by_day", "sessions_by_day");
        assertThat(statesOf(withJourneys, TallyTopology.Scope.SEGMENTS_ONLY))
                .doesNotContain("user_journeys", "funnel_steps_by_day", "sessions_by_day");
        assertThatThrownBy(() -> TallyTopology.build(WITH_SEGMENT, TallyTopology.Scope.JOURNEYS_ONLY,
                StateWrapper.NONE)).hasMessageContaining("needs at least one funnel");
    }

    /** The tables a topology built from {@code config} keeps state in, as its state wrapper sees them. */
    private static List<String> statesOf(TallyConfig config, TallyTopology.Scope scope) {
        List<String> tables = new ArrayList<>();
        TallyTopology.build(config, scope, (table, factory) -> {
            tables.add(table);
            return factory;
        });
        return tables;
    }

    @Test
    void everyKeyedStageRunsAsManyTasksAsItsEventsWereRoutedFor() {
        for (int parallelism : new int[] {2, 1, 3}) {
            TallyConfig config = WITH_SEGMENT.toBuilder()
                    .batch(BatchSettings.builder().parallelism(parallelism).build()).build();
            StormTopology topology = TallyTopology.build(config);
            Map<String, Integer> keyedStages = new TreeMap<>();
            topology.get_bolts().forEach((id, bolt) -> {
                if (id.endsWith("-dedup") || id.contains("-per-user")) {
                    keyedStages.put(id, bolt.get_common().get_parallelism_hint());
                }
            });
            assertThat(keyedStages).as("bolts %s", topology.get_bolts().keySet()).hasSize(2);
            assertThat(keyedStages.values()).as("parallelism %d: %s", parallelism, keyedStages)
                    .containsOnly(parallelism);
        }
    }

    @Test
    void everyStageIsNamedAfterWhatItDoes() {
        TallyConfig config = WITH_SEGMENT.toBuilder()
                .transforms(new TransformConfig(List.of(), List.of("path")))
                .build();
        List<String> bolts = new ArrayList<>(TallyTopology.build(config).get_bolts().keySet());
        // Trident names a bolt b-<n>-<its stages' names, in order>; the other bolts are its own coordinators.
        assertThat(bolts).as("unnamed bolts").noneMatch(id -> id.matches("b-\\d+"));
        // One counts stage keeps every count table the per-user stage changes (see SumChanges).
        for (String state : List.of("dedup", "counts", "rejected-counts-by-hour")) {
            assertThat(bolts).as("a bolt of its own for %s", state).anyMatch(id -> id.matches("b-\\d+-" + state));
        }
        // Stages without a repartition before them run in the bolt before, and add their names to it.
        assertThat(bolts).anyMatch(id -> id.matches("b-\\d+-ingest-route-ingest-rejected-events-.*"));
        assertThat(bolts).anyMatch(id -> id.matches("b-\\d+-per-user-segment-members-user-segments-.*"));
    }

    @Test
    void segmentsOnlyNeedsASegment() {
        TallyConfig noSegments = WITH_SEGMENT.toBuilder().segments(List.of()).build();
        assertThatThrownBy(() -> TallyTopology.build(noSegments, TallyTopology.Scope.SEGMENTS_ONLY, StateWrapper.NONE))
                .hasMessage("a segments-only topology needs at least one segment");
    }
}

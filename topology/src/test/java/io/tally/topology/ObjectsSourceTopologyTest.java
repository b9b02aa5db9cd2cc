package io.tally.topology;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.topology.config.TallyConfig;
import io.tally.topology.config.TallyConfigLoader;
import java.util.Map;
import org.apache.storm.generated.StormTopology;
import org.junit.jupiter.api.Test;

/** The object store as a source of its own, or beside the others, feeding the one ingest path. */
class ObjectsSourceTopologyTest {
    private static final TallyConfigLoader LOADER = TallyConfigLoader.withEnvironment(Map.of());

    @Test
    void theObjectStoreIsAStreamOfItsOwn() {
        TallyConfig objectsOnly = LOADER.parse("objects: {bucket: exports, prefixes: [a/, b/], endpoint: 'http://127.0.0.1:9000'}");
        assertThat(componentsOf(TallyTopology.build(objectsOnly, TallyTopology.Scope.FULL, StateWrapper.NONE)))
                .contains(TallyTopology.OBJECTS_STREAM_ID).doesNotContain(TallyTopology.FILES_STREAM_ID);

        TallyConfig all = LOADER.parse("""
                kafka: {bootstrap_servers: b, topics: [t]}
                files: {directory: /var/log/events}
                objects: {bucket: exports}
                """);
        assertThat(componentsOf(TallyTopology.build(all, TallyTopology.Scope.FULL, StateWrapper.NONE)))
                .contains(TallyTopology.OBJECTS_STREAM_ID, TallyTopology.FILES_STREAM_ID, TallyTopology.KAFKA_STREAM_ID);
    }

    private static String componentsOf(StormTopology topology) {
        return topology.get_spouts().keySet() + " " + topology.get_bolts().keySet();
    }
}

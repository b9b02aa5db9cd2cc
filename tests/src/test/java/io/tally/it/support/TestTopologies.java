package io.tally.it.support;

import io.tally.local.kafka.KafkaTopics;
import io.tally.spouts.kafka.KafkaSpoutSettings;
import io.tally.topology.TallyTopology;
import org.apache.storm.generated.StormTopology;
import io.tally.topology.config.TallyConfig;
import java.util.List;

/** Submits the production topology, built from a config exactly as {@code storm jar} would, to the test cluster. */
public final class TestTopologies {
    private TestTopologies() {
    }

    public static TallyConfig config(String name, String topic, String keyspace) {
        return TallyConfig.builder()
                .name(name)
                .kafka(KafkaSpoutSettings.builder(RealServices.stack().kafka().bootstrapServers(), List.of(topic)).build())
                .cassandra(TestKeyspaces.settings(keyspace))
                .build();
    }

    public static void createTopic(String topic, int partitions) {
        KafkaTopics.create(RealServices.stack().kafka().bootstrapServers(), topic, partitions);
    }

    public static void submit(TallyConfig config) {
        submit(config, TallyTopology.build(config));
    }

    /** Submits a topology built from {@code config} (say with a fault injector) with the config's Storm settings. */
    public static void submit(TallyConfig config, StormTopology topology) {
        RealServices.stack().storm().submit(config.name(), TallyTopology.stormConfig(config), topology);
    }

    public static void killQuietly(String name) {
        try {
            RealServices.stack().storm().kill(name);
        } catch (RuntimeException e) {
            // Already gone (or the cluster is down): nothing left to stop.
        }
    }
}

package io.tally.it.support;

import io.tally.local.kafka.KafkaTopics;
import io.tally.spouts.kafka.KafkaSpoutSettings;
import io.tally.topology.TallyTopology;
import org.apache.storm.generated.StormTopology;
import io.tally.topology.config.BatchSettings;
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

    /**
     * {@link #config} with small batches (2,000 records per partition) over two state partitions: many batches, so
     * failures forced on a state land mid-stream.
     */
    public static TallyConfig smallBatches(String name, String topic, String keyspace) {
        return config(name, topic, keyspace).toBuilder()
                .kafka(KafkaSpoutSettings.builder(RealServices.stack().kafka().bootstrapServers(), List.of(topic))
                        .maxPollRecords(2_000).build())
                .batch(BatchSettings.builder().parallelism(2).build())
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

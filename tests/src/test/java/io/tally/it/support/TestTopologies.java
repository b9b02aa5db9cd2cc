package io.tally.it.support;

import io.tally.bolts.ingest.BackfillSpan;
import io.tally.local.kafka.KafkaTopics;
import io.tally.local.sample.HistoricSpan;
import io.tally.spouts.kafka.KafkaSpoutSettings;
import io.tally.topology.TallyTopology;
import io.tally.topology.config.BatchSettings;
import io.tally.topology.config.TallyConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.storm.generated.StormTopology;

/** Submits the production topology, built from a config exactly as {@code storm jar} would, to the test cluster. */
public final class TestTopologies {
    private TestTopologies() {
    }

    /** The suite's events are fixed November 2026 data: every suite topology counts them as a backfill. */
    public static final BackfillSpan HISTORIC = HistoricSpan.untilTomorrow();

    /** {@code config} as a backfill of the suite's historic events ({@link HistoricSpan}). */
    public static TallyConfig.Builder historic(TallyConfig.Builder config) {
        return HistoricSpan.backfill(config, HISTORIC, TallyConfig.DEFAULT_DEDUP_WINDOW,
                TallyConfig.DEFAULT_LAG_ALLOWANCE);
    }

    /** The {@code backfill} and {@code aggregates} sections of {@link #historic} in a {@code tally.yaml}. */
    public static String historicYaml() {
        return "backfill: {from: \"" + HISTORIC.from() + "\", to: \"" + HISTORIC.to() + "\"}\n"
                + "aggregates: {dedup_window_ms: " + HistoricSpan.windowCovering(HISTORIC,
                        TallyConfig.DEFAULT_DEDUP_WINDOW, TallyConfig.DEFAULT_LAG_ALLOWANCE).toMillis() + "}";
    }

    public static TallyConfig config(String name, String topic, String keyspace) {
        return historic(TallyConfig.builder())
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

    /**
     * Writes a {@code tally.yaml} for a topology run in a child JVM ({@code LocalTopologyProcess}) against the test
     * servers.
     */
    public static void writeConfigFile(Path file, String name, int parallelism, String topic, int maxPollRecords,
            String keyspace) throws IOException {
        writeConfigFile(file, name, parallelism, keyspace, String.join("\n",
                "kafka:",
                "  bootstrap_servers: " + RealServices.stack().kafka().bootstrapServers(),
                "  topics: [" + topic + "]",
                "  max_poll_records: " + maxPollRecords));
    }

    /** As above, with {@code sources} the YAML of the source sections ({@code kafka:}, {@code objects:}, ...). */
    public static void writeConfigFile(Path file, String name, int parallelism, String keyspace, String sources)
            throws IOException {
        InetSocketAddress cassandra = RealServices.stack().cassandra().contactPoint();
        Files.writeString(file, String.join("\n",
                "topology:",
                "  name: " + name,
                "  parallelism: " + parallelism,
                sources,
                "cassandra:",
                "  contact_points: [\"" + cassandra.getHostString() + ":" + cassandra.getPort() + "\"]",
                "  local_datacenter: " + RealServices.stack().cassandra().localDatacenter(),
                "  keyspace: " + keyspace,
                historicYaml(),
                ""));
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

    public static void killQuietly(String... names) {
        for (String name : names) {
            try {
                RealServices.stack().storm().kill(name);
            } catch (RuntimeException e) {
                // Already gone (or the cluster is down): nothing left to stop.
            }
        }
    }
}

package io.tally.collector.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.collector.CollectorSettings;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CollectorConfigLoaderTest {
    private final CollectorConfigLoader loader = CollectorConfigLoader.withEnvironment(Map.of("WEB_KEY", "s3cret"));

    @Test
    void readsItsSectionAndKafkasWithEnvironmentReferencesAndDefaults() {
        CollectorSettings settings = loader.parse("""
                kafka:
                  bootstrap_servers: broker:9092
                  topics: [events, other]
                  consumer: {sasl.jaas.config: "${NOT_SET_HERE}"}
                cassandra: {password: "${NOT_SET_EITHER}"}
                collector:
                  port: 9000
                  sources:
                    - {name: web, write_key: "${WEB_KEY}"}
                    - {name: ios, write_key: "${IOS_KEY:-ios-default}"}
                  rate_limit: {events_per_second: 1000}
                  producer: {compression.type: lz4}
                """);

        assertThat(settings.bootstrapServers()).isEqualTo("broker:9092");
        assertThat(settings.topic()).isEqualTo("events");
        assertThat(settings.port()).isEqualTo(9000);
        assertThat(settings.bind()).isEqualTo("127.0.0.1");
        assertThat(settings.sourcesByWriteKey()).isEqualTo(Map.of("s3cret", "web", "ios-default", "ios"));
        assertThat(settings.eventsPerSecond()).isEqualTo(1000);
        assertThat(settings.burstEvents()).isEqualTo(1000);
        assertThat(settings.maxMessageBytes()).isEqualTo(32 * 1024);
        assertThat(settings.maxBatchBytes()).isEqualTo(500 * 1024);
        assertThat(settings.producerProperties()).isEqualTo(Map.of("compression.type", "lz4"));
        assertThat(settings.toString()).doesNotContain("s3cret");
    }

    @Test
    void theBundledExampleConfigurationLoadsAndWantsItsWriteKey() {
        Path example = Path.of("..", "deploy", "tally.yaml");
        CollectorSettings settings = CollectorConfigLoader.withEnvironment(Map.of("TALLY_WEB_WRITE_KEY", "k"))
                .load(example);
        CollectorSettings defaults = CollectorSettings.builder("127.0.0.1:9092", "events").source("web", "k")
                .workerThreads(2).build();
        assertThat(settings).isEqualTo(defaults);
        assertThatThrownBy(() -> CollectorConfigLoader.withEnvironment(Map.of()).load(example))
                .hasMessageContaining("collector.sources: a write_key is empty");
    }

    @Test
    void mistakesAreNamedByKey() {
        assertThatThrownBy(() -> loader.parse("kafka: {bootstrap_servers: b:1, topics: [e]}\ncollector: {prot: 1}"))
                .hasMessageContaining("collector.prot: unknown key");
        assertThatThrownBy(() -> loader.parse("kafka: {bootstrap_servers: b:1, topics: [e]}\ncollector: {port: 1}"))
                .hasMessageContaining("collector.sources: needs at least one");
        assertThatThrownBy(() -> loader.parse("kafka: {topics: [e]}\ncollector: {sources: [{name: a, write_key: k}]}"))
                .hasMessageContaining("kafka.bootstrap_servers: is required");
        assertThatThrownBy(() -> loader.parse("kafka: {bootstrap_servers: b:1, topics: [e]}\n"
                + "collector: {sources: [{name: a, write_key: \"${MISSING}\"}]}"))
                .hasMessageContaining("collector.sources[0].write_key").hasMessageContaining("MISSING");
        assertThatThrownBy(() -> loader.parse("kafka: {bootstrap_servers: b:1, topics: [e]}"))
                .hasMessageContaining("collector: the section is missing");
    }
}

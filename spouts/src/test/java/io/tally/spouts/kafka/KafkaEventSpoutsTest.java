package io.tally.spouts.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

class KafkaEventSpoutsTest {
    private static final KafkaSpoutSettings.Builder SETTINGS =
            KafkaSpoutSettings.builder("127.0.0.1:9092", List.of("events"));

    @Test
    void onlyCommittedRecordsAreReadUnlessConfiguredOtherwise() {
        assertThat(KafkaEventSpouts.config(SETTINGS.build()).getKafkaProps())
                .containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        KafkaSpoutSettings uncommitted = KafkaSpoutSettings.builder("127.0.0.1:9092", List.of("events"))
                .consumerProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted").build();
        assertThat(KafkaEventSpouts.config(uncommitted).getKafkaProps())
                .containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    }
}

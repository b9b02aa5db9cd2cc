package io.tally.collector;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/** The producer the collector builds: Kafka accepts its configuration, and no broker means a prompt failure. */
class KafkaSinkTest {
    @Test
    void withNoBrokerAPublishFailsWithinTheKafkaTimeout() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        CollectorSettings settings = CollectorSettings.builder("127.0.0.1:" + closedPort, "events")
                .source("web", "key").kafkaTimeoutMillis(300).build();
        try (KafkaSink sink = new KafkaSink(settings)) {
            long start = System.nanoTime();
            CompletableFuture<Void> published = sink.publish("web", List.of(new EventRecord(null, new byte[] {'{', '}'})));

            ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> published.get(5, TimeUnit.SECONDS));
            assertThat(failure.getCause()).isInstanceOf(TimeoutException.class);
            // Bounded, not exact: the first send also loads the producer's classes, slow on a busy machine.
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(10_000);
        }
    }
}

package io.tally.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.it.support.RealServices;
import io.tally.local.kafka.KafkaTopics;
import io.tally.testsupport.Eventually;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A topic {@link KafkaTopics#create} returns is ready for writes: every partition's leader takes a record at once. A
 * producer allowed no retry shows a write that reached a partition before its leader was ready
 * (NOT_LEADER_OR_FOLLOWER), which an idempotent producer's retries had turned into lost records.
 */
@ExtendWith(RealServices.class)
class KafkaTopicsTest {
    private static final int TOPICS = 6;
    private static final int PARTITIONS = 50;

    @Test
    void everyPartitionTakesARecordAsSoonAsItsTopicIsCreated() throws Exception {
        String bootstrap = RealServices.stack().kafka().bootstrapServers();
        try (KafkaProducer<byte[], byte[]> producer = producerWithoutRetries(bootstrap)) {
            // Several topics of many partitions: the broker makes itself leader of their logs one by one.
            for (int t = 0; t < TOPICS; t++) {
                String topic = "topics-ready-" + t;
                KafkaTopics.create(bootstrap, topic, PARTITIONS);
                assertThat(refusedWrites(producer, topic, PARTITIONS)).as("writes refused right after the topic was"
                        + " created").isEmpty();
            }
        }
    }

    /**
     * A topic another client is creating is waited for while the broker does not know it yet (the suite once failed
     * with "topic secured-events is not usable: UnknownTopicOrPartitionException", from a describe that came too
     * early), and is usable when the wait returns.
     */
    @Test
    void aTopicTheBrokerDoesNotKnowYetIsWaitedFor() throws Exception {
        String bootstrap = RealServices.stack().kafka().bootstrapServers();
        String topic = "topics-created-later";
        CompletableFuture<Void> created = CompletableFuture.runAsync(() -> {
            Eventually.sleep(Duration.ofSeconds(2));
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        KafkaTopics.awaitUsable(bootstrap, topic);
        created.get();
        try (KafkaProducer<byte[], byte[]> producer = producerWithoutRetries(bootstrap)) {
            assertThat(refusedWrites(producer, topic, PARTITIONS)).as("writes refused once the wait returned")
                    .isEmpty();
        }
    }

    private static KafkaProducer<byte[], byte[]> producerWithoutRetries(String bootstrap) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                ProducerConfig.RETRIES_CONFIG, 0));
    }

    /** Writes one record to each partition; the partitions that refused it, with why. */
    private static List<String> refusedWrites(KafkaProducer<byte[], byte[]> producer, String topic, int partitions)
            throws InterruptedException {
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int partition = 0; partition < partitions; partition++) {
            sent.add(producer.send(new ProducerRecord<>(topic, partition, null, new byte[] {1})));
        }
        List<String> refused = new ArrayList<>();
        for (int partition = 0; partition < partitions; partition++) {
            try {
                sent.get(partition).get();
            } catch (ExecutionException e) {
                refused.add(topic + "-" + partition + ": " + e.getCause());
            }
        }
        return refused;
    }
}

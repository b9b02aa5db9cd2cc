package io.tally.local.kafka;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;

/** Topic administration for the local broker (the broker does not create topics on first use). */
public final class KafkaTopics {
    private KafkaTopics() {
    }

    /** Creates the topic with this many partitions unless it exists, and returns once every partition has a leader. */
    public static void create(String bootstrapServers, String topic, int partitions) {
        create(bootstrapServers, topic, partitions, Map.of());
    }

    /** The same, with topic-level settings such as {@code max.message.bytes} (used only if the topic is created). */
    public static void create(String bootstrapServers, String topic, int partitions, Map<String, String> configs) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(configs)))
                        .all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("creating topic " + topic + " failed: " + e.getCause().getMessage(),
                            e.getCause());
                }
            }
            awaitLeaders(admin, topic);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("topic " + topic + " is not usable: " + e.getMessage(), e);
        }
    }

    /**
     * Waits until the broker names a leader for every partition and that leader answers for the partition's log. A
     * producer that writes to a partition before that gets NOT_LEADER_OR_FOLLOWER; its idempotent retries were then
     * refused as OUT_OF_ORDER_SEQUENCE_NUMBER until they timed out, and the records were lost. A named leader is not
     * enough: on a loaded machine the broker names the leader in its metadata before it has become the leader of the
     * log, so the wait ends only when a ListOffsets, which only the partition's leader answers, succeeds.
     */
    private static void awaitLeaders(Admin admin, String topic)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(30, TimeUnit.SECONDS).get(topic);
            if (description.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())
                    && leadersAnswer(admin, topic, description)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("a partition of " + topic + " still has no leader after 30 s");
            }
            Thread.sleep(50);
        }
    }

    private static boolean leadersAnswer(Admin admin, String topic, TopicDescription description)
            throws InterruptedException, TimeoutException {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        description.partitions().forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        try {
            admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException notYet) {
            return false;
        }
    }
}

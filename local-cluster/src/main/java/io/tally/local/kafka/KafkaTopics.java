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
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

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
     * Returns once the topic (created now or a moment ago, by this process or another) has a leader for every
     * partition that answers for its log, or throws after 30 s.
     */
    public static void awaitUsable(String bootstrapServers, String topic) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            awaitLeaders(admin, topic);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for topic " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("topic " + topic + " is not usable: " + e.getMessage(), e);
        }
    }

    /**
     * Waits until the broker knows the topic, names a leader for every partition and that leader answers for the
     * partition's log. Right after a topic is created the broker may not know it yet (UNKNOWN_TOPIC_OR_PARTITION),
     * which is asked again, like a partition without a leader. A
     * producer that writes to a partition before that gets NOT_LEADER_OR_FOLLOWER; its idempotent retries were then
     * refused as OUT_OF_ORDER_SEQUENCE_NUMBER until they timed out, and the records were lost. A named leader is not
     * enough: on a loaded machine the broker names the leader in its metadata before it has become the leader of the
     * log, so the wait ends only when a ListOffsets, which only the partition's leader answers, succeeds.
     */
    private static void awaitLeaders(Admin admin, String topic)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            TopicDescription description = describeIfKnown(admin, topic);
            if (description != null && description.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())
                    && leadersAnswer(admin, topic, description)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("after 30 s the broker does not know " + topic + " or a partition of it has no leader");
            }
            Thread.sleep(50);
        }
    }

    /** The topic's description, or null while the broker does not know the topic yet. */
    private static TopicDescription describeIfKnown(Admin admin, String topic)
            throws InterruptedException, ExecutionException, TimeoutException {
        try {
            return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return null;
            }
            throw e;
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

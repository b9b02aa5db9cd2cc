package io.tally.cli;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import io.tally.state.cassandra.CassandraConnectionProblem;
import io.tally.spouts.kafka.KafkaSpoutSettings;
import io.tally.spouts.objectstore.ObjectStoreCheck;
import io.tally.state.cassandra.SessionRegistry;
import io.tally.state.schema.SchemaApplier;
import io.tally.topology.config.TallyConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;

/** Checks, before anything is submitted, that the configured Kafka topics, bucket and Cassandra keyspace answer. */
final class Preflight {
    private static final int TIMEOUT_SECONDS = 15;

    private Preflight() {
    }

    static List<String> check(TallyConfig config) {
        List<String> problems = new ArrayList<>();
        config.kafka().ifPresent(kafka -> problems.addAll(kafka(kafka)));
        config.objects().ifPresent(objects -> problems.addAll(ObjectStoreCheck.problems(objects)));
        problems.addAll(cassandra(config));
        return problems;
    }

    private static List<String> kafka(KafkaSpoutSettings kafka) {
        Map<String, Object> props = new HashMap<>(kafka.consumerProperties());
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        // The API timeout may not be shorter than a request's (30 s by default): shorten both.
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_SECONDS * 1000);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_SECONDS * 1000);
        try (Admin admin = Admin.create(props)) {
            Map<String, TopicDescription> topics = admin.describeTopics(kafka.topics()).allTopicNames()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            topics.forEach((name, description) -> System.out.println(
                    "Kafka topic " + name + ": " + description.partitions().size() + " partitions"));
            return List.of();
        } catch (ExecutionException e) {
            return List.of("Kafka at " + kafka.bootstrapServers() + ": " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            return List.of("Kafka at " + kafka.bootstrapServers() + " did not answer within " + TIMEOUT_SECONDS + " s");
        } catch (org.apache.kafka.common.KafkaException e) {
            return List.of("Kafka client for " + kafka.bootstrapServers() + " cannot be created: " + e.getMessage()
                    + (e.getCause() == null ? "" : " (" + e.getCause().getMessage() + ")"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of("interrupted while checking Kafka");
        }
    }

    private static List<String> cassandra(TallyConfig config) {
        try (CqlSession session = SessionRegistry.builder(config.cassandra()).build()) {
            return SchemaApplier.bundled().check(session, config.cassandra().keyspace());
        } catch (AllNodesFailedException e) {
            return List.of(CassandraConnectionProblem.describe(config.cassandra(), e));
        } catch (RuntimeException e) {
            return List.of("Cassandra at " + config.cassandra().contactPoints() + ": " + e.getMessage());
        }
    }
}

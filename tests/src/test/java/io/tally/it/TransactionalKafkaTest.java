package io.tally.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import io.tally.it.support.CountTables;
import io.tally.it.support.RealServices;
import io.tally.it.support.TestKeyspaces;
import io.tally.it.support.TestTopologies;
import io.tally.it.support.Truth;
import io.tally.local.sample.EventGenerator;
import io.tally.local.sample.GeneratedEvent;
import io.tally.topology.config.TallyConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A transactional producer commits a transaction, aborts the next and commits a third, all on the real broker:
 * only the committed transactions' events are counted (the aborted records sit in the log between them).
 */
@ExtendWith(RealServices.class)
class TransactionalKafkaTest {
    private static final String TOPIC = "transactional-events";
    private static final int PARTITIONS = 2;

    @Test
    void anAbortedTransactionsRecordsAreNotCounted() {
        String keyspace = TestKeyspaces.create("transactional");
        TestTopologies.createTopic(TOPIC, PARTITIONS);
        TallyConfig config = TestTopologies.config("it-transactional", TOPIC, keyspace);
        EventGenerator generator = new EventGenerator(23L, Instant.parse("2026-11-18T00:00:00Z"), 24, 500);
        Truth truth = new Truth();
        List<GeneratedEvent> first = truth.generate(generator, 1_000);
        List<GeneratedEvent> aborted = Stream.generate(generator::next).limit(500).toList();
        List<GeneratedEvent> last = truth.generate(generator, 1_000);

        try (KafkaProducer<byte[], byte[]> producer = transactionalProducer()) {
            producer.initTransactions();
            send(producer, first, true);
            send(producer, aborted, false);
            send(producer, last, true);
        }

        CqlSession session = TestKeyspaces.session();
        try {
            TestTopologies.submit(config);
            CountTables.assertExact(session, keyspace, truth, Duration.ofMinutes(2));
            assertThat(session.execute("SELECT count(*) FROM " + keyspace + ".rejected_events").one().getLong(0))
                    .as("rejected records").isZero();
        } finally {
            TestTopologies.killQuietly(config.name());
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, List<GeneratedEvent> events, boolean commit) {
        producer.beginTransaction();
        int i = 0;
        for (GeneratedEvent event : events) {
            producer.send(new ProducerRecord<>(TOPIC, i++ % PARTITIONS, null, event.json()));
        }
        if (commit) {
            producer.commitTransaction();
        } else {
            producer.flush(); // the records are in the log, then the transaction is aborted
            producer.abortTransaction();
        }
    }

    private static KafkaProducer<byte[], byte[]> transactionalProducer() {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, RealServices.stack().kafka().bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tally-it-transactional",
                ProducerConfig.ACKS_CONFIG, "all"),
                new ByteArraySerializer(), new ByteArraySerializer());
    }
}

package io.tally.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.tally.bolts.ingest.IngestSettings;
import io.tally.bolts.transform.TransformConfig;
import io.tally.bolts.transform.TransformStep;
import io.tally.it.support.KafkaEvents;
import io.tally.it.support.RealServices;
import io.tally.it.support.TestKeyspaces;
import io.tally.it.support.TestTopologies;
import io.tally.testsupport.Eventually;
import io.tally.topology.config.TallyConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Rejected records as Cassandra keeps them: without the properties the transforms drop, and only for the
 * configured {@code ingest.reject_ttl_days}.
 */
@ExtendWith(RealServices.class)
class RejectedPayloadsTest {
    private static final String TOPIC = "rejected-payloads";
    private static final int TTL_DAYS = 3;

    @Test
    void storedPayloadsLackDroppedPropertiesAndExpireAfterTheConfiguredDays() {
        String keyspace = TestKeyspaces.create("rejectedpayloads");
        TestTopologies.createTopic(TOPIC, 1);
        TallyConfig base = TestTopologies.config("it-rejected-payloads", TOPIC, keyspace);
        IngestSettings d = IngestSettings.DEFAULTS;
        TallyConfig config = base.toBuilder()
                .ingest(new IngestSettings(d.maxRecordBytes(), d.maxDepth(), d.maxStringLength(), d.maxProperties(),
                        d.futureToleranceMillis(), d.rejectPayloadBytes(), d.maxLatenessMillis(),
                        d.maxMessageIdLength(), TTL_DAYS))
                .transforms(new TransformConfig(List.of(new TransformStep.DropProperties(List.of("password"))),
                        List.of()))
                .build();
        List<String> records = List.of(
                "{\"type\":\"click\",\"userId\":\"u1\",\"properties\":{\"password\":\"hunter2\",\"plan\":\"pro\"}}",
                "{\"type\":\"track\",\"userId\":\"u1\",\"properties\":{\"password\":\"hunter2\"",
                "{\"type\":\"track\",\"userId\":\"u1\",\"event\":");
        try (KafkaEvents kafka = new KafkaEvents(RealServices.stack().kafka().bootstrapServers(), TOPIC, 1)) {
            kafka.sendPayloads(records.stream().map(r -> r.getBytes(StandardCharsets.UTF_8)).toList());
        }

        CqlSession session = TestKeyspaces.session();
        try {
            TestTopologies.submit(config);
            Map<Long, Row> stored = Eventually.poll(() -> rejectedRows(session, keyspace), rows -> rows.size() == 3,
                    Duration.ofMinutes(2));
            assertThat(stored.get(0L).getString("payload"))
                    .isEqualTo("{\"type\":\"click\",\"userId\":\"u1\",\"properties\":{\"plan\":\"pro\"}}");
            assertThat(stored.get(1L).getString("payload")).doesNotContain("hunter2");
            assertThat(stored.get(2L).getString("payload")).isEqualTo(records.get(2));
            long ttlSeconds = Duration.ofDays(TTL_DAYS).toSeconds();
            for (Row row : stored.values()) {
                assertThat(row.isNull("ttl")).as("a TTL on the row at position %d", row.getLong("position")).isFalse();
                assertThat(row.getInt("ttl")).isBetween((int) ttlSeconds - 600, (int) ttlSeconds);
            }
        } finally {
            TestTopologies.killQuietly(config.name());
        }
    }

    private static Map<Long, Row> rejectedRows(CqlSession session, String keyspace) {
        Map<Long, Row> rows = new HashMap<>();
        for (Row row : session.execute("SELECT position, payload, TTL(payload) AS ttl FROM " + keyspace
                + ".rejected_events")) {
            rows.put(row.getLong("position"), row);
        }
        return rows;
    }
}

package io.tally.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.tally.bolts.transform.TransformConfig;
import io.tally.bolts.transform.TransformStep;
import io.tally.it.support.CountTables;
import io.tally.it.support.HourKey;
import io.tally.it.support.KafkaEvents;
import io.tally.it.support.RealServices;
import io.tally.it.support.TestKeyspaces;
import io.tally.it.support.TestTopologies;
import io.tally.it.support.Truth;
import io.tally.local.sample.EventGenerator;
import io.tally.local.sample.GeneratedEvent;
import io.tally.testsupport.Eventually;
import io.tally.topology.config.TallyConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A stream with one bad record in ten, and a transform that drops one event name: the good events are counted
 * exactly, and every bad or dropped record is in {@code rejected_events} under its own source coordinates with
 * the reason it was built to have, and counted in {@code rejected_counts_by_hour}; nothing else is there.
 */
@ExtendWith(RealServices.class)
class RejectedRecordsTest {
    private static final int PARTITIONS = 3;
    private static final String TOPIC = "rejects-events";
    /** Dropped by a transform rule: must be rejected as dropped_by_rule, not counted. */
    private static final String DROPPED = "Signed Out";

    /** Bad records, each built so that exactly one reason applies. */
    private static final Map<String, byte[]> BAD = Map.of(
            "invalid_json", utf8("{\"type\":\"track\",\"userId\":\"u\",\"event\":"),
            "invalid_utf8", latin1("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"caf\u00e9\"}"),
            "not_an_object", utf8("[{\"type\":\"track\"}]"),
            "unknown_type", utf8("{\"type\":\"click\",\"userId\":\"u\",\"event\":\"x\"}"),
            "missing_user", utf8("{\"type\":\"track\",\"event\":\"x\",\"timestamp\":\"2026-11-18T00:00:00Z\"}"),
            "missing_type", utf8("{\"userId\":\"u\",\"event\":\"x\"}"),
            "empty_record", new byte[0],
            "bad_timestamp", utf8("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"x\",\"timestamp\":\"soon\"}"),
            "too_large", utf8("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"x\",\"pad\":\"" + "p".repeat(40_000) + "\"}"));

    private record Reject(String reason, String source, long position) {
    }

    @Test
    void badRecordsAreKeptWithTheirReasonAndGoodOnesCountedExactly() {
        String keyspace = TestKeyspaces.create("rejects");
        TestTopologies.createTopic(TOPIC, PARTITIONS);
        TallyConfig config = TestTopologies.config("it-rejects", TOPIC, keyspace).toBuilder()
                .transforms(new TransformConfig(List.of(new TransformStep.DropEvents(List.of(DROPPED), null, null)),
                        List.of()))
                .build();
        EventGenerator generator = new EventGenerator(7L, Instant.parse("2026-11-18T00:00:00Z"), 48, 5_000);
        SplittableRandom random = new SplittableRandom(11);
        List<String> reasons = new ArrayList<>(BAD.keySet());
        reasons.sort(null);

        Truth truth = new Truth();
        List<byte[]> payloads = new ArrayList<>();
        List<String> intended = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            if (random.nextInt(10) == 0) {
                String reason = reasons.get(random.nextInt(reasons.size()));
                payloads.add(BAD.get(reason));
                intended.add(reason);
            } else {
                GeneratedEvent event = generator.next();
                payloads.add(event.json());
                if (event.countName().equals(DROPPED)) {
                    intended.add("dropped_by_rule");
                } else {
                    truth.add(event);
                    intended.add(null);
                }
            }
        }
        Set<Reject> expectedRejects = new HashSet<>();
        Map<String, Long> expectedPerReason = new HashMap<>();
        try (KafkaEvents kafka = new KafkaEvents(RealServices.stack().kafka().bootstrapServers(), TOPIC, PARTITIONS)) {
            List<RecordMetadata> landed = kafka.sendPayloads(payloads);
            for (int i = 0; i < landed.size(); i++) {
                if (intended.get(i) != null) {
                    RecordMetadata at = landed.get(i);
                    expectedRejects.add(new Reject(intended.get(i), "kafka:" + TOPIC + ":" + at.partition(), at.offset()));
                    expectedPerReason.merge(intended.get(i), 1L, Long::sum);
                }
            }
        }
        assertThat(expectedRejects).hasSizeGreaterThan(4_000);

        CqlSession session = TestKeyspaces.session();
        try {
            TestTopologies.submit(config);
            Map<HourKey, Long> expected = truth.hourly();
            Map<HourKey, Long> counted = Eventually.poll(() -> CountTables.hourly(session, keyspace),
                    expected::equals, Duration.ofMinutes(3));
            assertThat(counted).isEqualTo(expected);
            Map<String, Long> perReason = Eventually.poll(() -> rejectedPerReason(session, keyspace),
                    expectedPerReason::equals, Duration.ofMinutes(1));
            assertThat(perReason).isEqualTo(expectedPerReason);
            assertThat(rejectedRows(session, keyspace)).isEqualTo(expectedRejects);
        } finally {
            TestTopologies.killQuietly(config.name());
        }
    }

    private static Map<String, Long> rejectedPerReason(CqlSession session, String keyspace) {
        Map<String, Long> perReason = new HashMap<>();
        for (Row row : session.execute("SELECT reason, count FROM " + keyspace + ".rejected_counts_by_hour")) {
            perReason.merge(row.getString("reason"), row.getLong("count"), Long::sum);
        }
        return perReason;
    }

    private static Set<Reject> rejectedRows(CqlSession session, String keyspace) {
        Set<Reject> rows = new HashSet<>();
        int read = 0;
        for (Row row : session.execute("SELECT reason, source, position, detail, payload FROM " + keyspace
                + ".rejected_events")) {
            assertThat(row.getString("detail")).isNotBlank();
            assertThat(row.getString("payload").length()).isLessThanOrEqualTo(4 * 1024);
            rows.add(new Reject(row.getString("reason"), row.getString("source"), row.getLong("position")));
            read++;
        }
        assertThat(read).as("rows in rejected_events, duplicates included").isEqualTo(rows.size());
        return rows;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] latin1(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}

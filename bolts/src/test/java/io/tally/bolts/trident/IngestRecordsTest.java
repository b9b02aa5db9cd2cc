package io.tally.bolts.trident;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.bolts.event.Event;
import io.tally.bolts.ingest.IngestSettings;
import io.tally.bolts.ingest.RejectReason;
import io.tally.bolts.ingest.Rejection;
import io.tally.bolts.transform.PayloadRedactor;
import io.tally.bolts.transform.TransformConfig;
import io.tally.bolts.transform.TransformStep;
import io.tally.spouts.RecordChunk;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.storm.metric.api.IMetric;
import org.apache.storm.task.TopologyContext;
import org.apache.storm.trident.operation.TridentOperationContext;
import org.apache.storm.trident.tuple.TridentTupleView;
import org.apache.storm.tuple.Values;
import org.junit.jupiter.api.Test;

class IngestRecordsTest {
    private final Map<String, IMetric> metrics = new HashMap<>();

    private IngestRecords prepared() {
        return prepared(TransformConfig.NONE);
    }

    private IngestRecords prepared(TransformConfig transforms) {
        IngestRecords ingest = new IngestRecords(IngestSettings.DEFAULTS, transforms);
        ingest.prepare(Map.of(), new TridentOperationContext((TopologyContext) null, null) {
            @Override
            public <T extends IMetric> T registerMetric(String name, T metric, int timeBucketSizeInSecs) {
                metrics.put(name, metric);
                return metric;
            }
        });
        return ingest;
    }

    private static List<Values> ingest(IngestRecords ingest, RecordChunk chunk) {
        List<Values> out = new ArrayList<>();
        ingest.execute(TridentTupleView.createFreshTuple(RecordChunk.FIELDS, new Values(chunk))).forEach(out::add);
        return out;
    }

    @Test
    void everyRecordOfAChunkBecomesOneTupleInOrderWithItsSourceAndPosition() {
        String signup = "{\"type\":\"track\",\"event\":\"Signed Up\",\"userId\":\"u1\","
                + "\"timestamp\":\"2026-11-20T10:00:00Z\"}";
        String page = "{\"type\":\"page\",\"anonymousId\":\"a7\",\"timestamp\":\"2026-11-20T11:30:00Z\"}";
        byte[][] payloads = {bytes(signup), bytes("{\"type\":"), bytes(page)};
        RecordChunk chunk = new RecordChunk("kafka:events:2", payloads, new long[] {10, 11, 12},
                new long[] {1_795_176_000_000L, 1_795_176_000_001L, 1_795_176_000_002L}, 1_795_176_000_002L);

        List<Values> out = ingest(prepared(), chunk);

        assertThat(out).hasSize(3);
        assertThat(out.get(0).subList(0, 2)).containsExactly("kafka:events:2", 10L);
        Event first = (Event) out.get(0).get(2);
        assertThat(first.countName()).isEqualTo("Signed Up");
        assertThat(first.userKey()).isEqualTo("u1");
        assertThat(out.get(0).get(3)).isNull();

        assertThat(out.get(1).subList(0, 3)).containsExactly("kafka:events:2", 11L, null);
        Rejection rejection = (Rejection) out.get(1).get(3);
        assertThat(rejection.reason()).isEqualTo(RejectReason.INVALID_JSON);
        assertThat(rejection.source()).isEqualTo("kafka:events:2");
        assertThat(rejection.position()).isEqualTo(11L);
        assertThat(rejection.receivedAtMillis()).isEqualTo(1_795_176_000_001L);
        assertThat(rejection.payload()).isEqualTo("{\"type\":");

        assertThat(out.get(2).subList(0, 2)).containsExactly("kafka:events:2", 12L);
        assertThat(((Event) out.get(2).get(2)).timestampMillis()).isEqualTo(1_795_174_200_000L);
        assertThat(out.get(2).get(3)).isNull();

        assertThat(metrics.get("tally.ingest.accepted").getValueAndReset()).isEqualTo(2L);
        assertThat(metrics.get("tally.ingest.rejected").getValueAndReset())
                .isEqualTo(Map.of(RejectReason.INVALID_JSON.code(), 1L));
    }

    @Test
    void anEventATransformDropsIsKeptAsARejectionWithTheRuleThatDroppedIt() {
        String debug = "{\"type\":\"track\",\"event\":\"Debug Ping\",\"userId\":\"u1\","
                + "\"timestamp\":\"2026-11-20T10:00:00Z\"}";
        TransformConfig dropDebug = new TransformConfig(
                List.of(new TransformStep.DropEvents(List.of("Debug Ping"), null, null)), List.of());
        RecordChunk chunk = new RecordChunk("file:app.log", new byte[][] {bytes(debug)}, new long[] {7},
                new long[] {1_795_176_000_000L}, 1_795_176_000_000L);

        List<Values> out = ingest(prepared(dropDebug), chunk);

        assertThat(out).hasSize(1);
        assertThat(out.get(0).subList(0, 3)).containsExactly("file:app.log", 7L, null);
        Rejection rejection = (Rejection) out.get(0).get(3);
        assertThat(rejection.reason()).isEqualTo(RejectReason.DROPPED_BY_RULE);
        assertThat(rejection.detail()).isEqualTo("dropped by transforms.steps[0] (drop_events)");
        assertThat(metrics.get("tally.ingest.accepted").getValueAndReset()).isEqualTo(0L);
        assertThat(metrics.get("tally.ingest.rejected").getValueAndReset())
                .isEqualTo(Map.of(RejectReason.DROPPED_BY_RULE.code(), 1L));
    }

    @Test
    void aRejectedRecordIsStoredWithoutThePropertiesTheTransformsDrop() {
        TransformConfig dropSecrets = new TransformConfig(List.of(
                new TransformStep.DropProperties(List.of("password")),
                new TransformStep.DropProperties(List.of("token"))), List.of());
        String[] records = {
            "{\"type\":\"click\",\"userId\":\"u1\",\"properties\":{\"password\":\"hunter2\",\"plan\":\"pro\","
                    + "\"token\":\"t-1\",\"price\":1.10}}",
            "{\"type\":\"click\",\"properties\":{\"pass\\u0077ord\":\"hunter2\"},\"properties\":{\"a\":1}}",
            "{\"type\":\"track\",\"userId\":\"u1\",\"properties\":{\"password\":\"hunter2\"",
            "{\"type\":\"track\",\"userId\":\"u1\",\"event\":",
            "[{\"properties\":{\"token\":\"t-1\"}}]",
        };
        byte[][] payloads = new byte[records.length][];
        long[] positions = new long[records.length];
        long[] received = new long[records.length];
        for (int i = 0; i < records.length; i++) {
            payloads[i] = bytes(records[i]);
            positions[i] = i;
            received[i] = 1_795_176_000_000L;
        }

        List<Values> out = ingest(prepared(dropSecrets), new RecordChunk("kafka:events:0", payloads, positions, received,
                1_795_176_000_000L));

        List<String> stored = out.stream().map(tuple -> ((Rejection) tuple.get(3)).payload()).toList();
        assertThat(stored).containsExactly(
                "{\"type\":\"click\",\"userId\":\"u1\",\"properties\":{\"plan\":\"pro\",\"price\":1.10}}",
                "{\"type\":\"click\",\"properties\":{\"a\":1}}",
                PayloadRedactor.WITHHELD,
                records[3],
                PayloadRedactor.WITHHELD);
        assertThat(out.stream().map(tuple -> ((Rejection) tuple.get(3)).truncated()))
                .containsExactly(false, false, true, false, true);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}

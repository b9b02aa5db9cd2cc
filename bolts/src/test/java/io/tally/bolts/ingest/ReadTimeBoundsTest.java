package io.tally.bolts.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Issue #20 item 10: a record's own times (its {@code receivedAt}, a Kafka producer's timestamp) are the sender's,
 * so each record is also held to the time Tally first read it.
 */
class ReadTimeBoundsTest {
    private static final Instant READ = Instant.parse("2026-12-06T12:00:00Z");
    private static final long HOUR = Duration.ofHours(1).toMillis();
    /** The defaults: 7 days of lateness, an hour of future tolerance. */
    private final EventIngestor live = new EventIngestor(IngestSettings.DEFAULTS);

    private static byte[] track(Instant time, Instant receivedAt) {
        return ("{\"type\":\"track\",\"messageId\":\"m-1\",\"userId\":\"u\",\"event\":\"Signed Up\",\"timestamp\":\""
                + time + "\",\"receivedAt\":\"" + receivedAt + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private static Rejection rejected(IngestResult result) {
        assertThat(result).isInstanceOf(IngestResult.Rejected.class);
        return ((IngestResult.Rejected) result).rejection();
    }

    @Test
    void anOldEventReSentWithItsOldReceivedAtIsTooLateByTallysClock() {
        Instant old = READ.minus(Duration.ofDays(20));
        // By its own times it is on time (received when it happened); Tally reads it twenty days later.
        Rejection r = rejected(live.ingest(track(old, old), "kafka:events:0", 5, READ.toEpochMilli(),
                READ.toEpochMilli()));
        assertThat(r.reason()).isEqualTo(RejectReason.TOO_LATE);
        assertThat(r.detail()).contains("before Tally first read the record at " + READ);
    }

    @Test
    void anEventWithinTheLatenessOfItsReadTimeIsAccepted() {
        Instant sixDaysAgo = READ.minus(Duration.ofDays(6));
        assertThat(live.ingest(track(sixDaysAgo, sixDaysAgo), "kafka:events:0", 5, READ.toEpochMilli(),
                READ.toEpochMilli())).isInstanceOf(IngestResult.Accepted.class);
    }

    @Test
    void aFarFutureReceivedAtIsRejectedAndItsRejectionStaysInTheReadHour() {
        Instant future = READ.plus(Duration.ofDays(3650));
        Rejection r = rejected(live.ingest(track(future, future), "kafka:events:0", 5, READ.toEpochMilli(),
                READ.toEpochMilli()));
        assertThat(r.reason()).isEqualTo(RejectReason.RECEIVED_IN_FUTURE);
        assertThat(r.detail()).contains("receivedAt " + future);
        assertThat(r.receivedAtMillis()).isEqualTo(READ.toEpochMilli());
    }

    @Test
    void aFarFutureKafkaTimestampIsRejectedAndStoredUnderTheReadTime() {
        long producerClock = READ.plus(Duration.ofDays(400)).toEpochMilli();
        byte[] noReceivedAt = "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\"}".getBytes(StandardCharsets.UTF_8);
        Rejection r = rejected(live.ingest(noReceivedAt, "kafka:events:0", 9, producerClock, READ.toEpochMilli()));
        assertThat(r.reason()).isEqualTo(RejectReason.RECEIVED_IN_FUTURE);
        assertThat(r.detail()).contains("Kafka record timestamp");
        assertThat(r.receivedAtMillis()).isEqualTo(READ.toEpochMilli());
    }

    @Test
    void aReceiptWithinTheToleranceIsAcceptedWithTheSendersTimesKept() {
        Instant soon = READ.plusMillis(HOUR - 1);
        var accepted = (IngestResult.Accepted) live.ingest(track(soon, soon), "kafka:events:0", 5,
                READ.toEpochMilli(), READ.toEpochMilli());
        assertThat(accepted.event().receivedAtMillis()).isEqualTo(soon.toEpochMilli());
        assertThat(accepted.event().timestampMillis()).isEqualTo(soon.toEpochMilli());
    }

    @Test
    void theSameRecordReadAtTheSameTimeDecidesAlikeWhateverTheClockSaysAtReplay() {
        Instant edge = READ.minus(Duration.ofDays(7)).plusMillis(1);
        byte[] record = track(edge, edge);
        for (int replay = 0; replay < 3; replay++) {
            assertThat(live.ingest(record, "kafka:events:0", 5, edge.toEpochMilli(), READ.toEpochMilli()))
                    .isInstanceOf(IngestResult.Accepted.class);
        }
    }

    @Test
    void aBackfillCountsOldExportsOfItsSpanAndRejectsEventsOutsideIt() {
        EventIngestor backfill = new EventIngestor(IngestSettings.DEFAULTS,
                new BackfillSpan(Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-02-01T00:00:00Z")));
        Instant january = Instant.parse("2026-01-15T10:00:00Z");
        assertThat(backfill.ingest(track(january, january), "file:1-2", 0, READ.toEpochMilli(), READ.toEpochMilli()))
                .isInstanceOf(IngestResult.Accepted.class);

        Instant march = Instant.parse("2026-03-01T00:00:00Z");
        Rejection r = rejected(backfill.ingest(track(march, march), "file:1-2", 1, READ.toEpochMilli(),
                READ.toEpochMilli()));
        assertThat(r.reason()).isEqualTo(RejectReason.OUTSIDE_BACKFILL_SPAN);
        assertThat(r.detail()).contains("[2026-01-01T00:00:00Z, 2026-02-01T00:00:00Z)");

        // A backfill holds receipts to Tally's clock too.
        Instant future = READ.plus(Duration.ofDays(2));
        assertThat(rejected(backfill.ingest(track(future, future), "file:1-2", 2, READ.toEpochMilli(),
                READ.toEpochMilli())).reason()).isEqualTo(RejectReason.RECEIVED_IN_FUTURE);
    }
}

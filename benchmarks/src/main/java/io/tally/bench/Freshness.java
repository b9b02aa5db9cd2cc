package io.tally.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import io.tally.local.sample.EventGenerator;
import io.tally.state.schema.TallyTables;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Time from produce to visible: events are produced at a fixed rate, and the total count Cassandra shows is polled.
 * The k-th event produced is visible once the total reaches k; its freshness is that moment minus its send time.
 * Counts become visible a whole batch at a time, across partitions, so this is the delay a dashboard reading the
 * total sees, which is what an analyst means by fresh.
 */
final class Freshness {
    private static final Duration POLL_PAUSE = Duration.ofMillis(5);
    private static final Duration TICK = Duration.ofMillis(5);

    /** The most an event's time trails its send: the live source's time in transit. */
    private static final Duration TRANSIT = Duration.ofSeconds(2);

    /**
     * @param produced events sent, the warm-up's included
     * @param measured events after the warm-up, over which the percentiles are taken
     * @param visibleWithin false when the pipeline had not shown every event by the deadline: it did not keep up
     */
    record Result(int offeredPerSecond, long produced, long measured, long p50Millis, long p99Millis, long maxMillis,
            boolean visibleWithin) {
    }

    private Freshness() {
    }

    /**
     * Sends live events (each stamped when sent, less up to {@link #TRANSIT}) from {@code users} users at
     * {@code perSecond}, as production traffic arrives.
     */
    static Result measure(String bootstrap, String topic, int partitions, CqlSession session, String keyspace,
            int perSecond, int users, Duration warmUp, Duration measure, Duration drainLimit)
            throws InterruptedException {
        int warmUpEvents = (int) (perSecond * warmUp.toMillis() / 1000);
        int total = warmUpEvents + (int) (perSecond * measure.toMillis() / 1000);
        long[] sentAt = new long[total];
        long[] visibleAt = new long[total];
        Arrays.fill(visibleAt, -1);
        PreparedStatement totalQuery = session.prepare("SELECT count FROM " + keyspace
                + ".event_counts_by_hour WHERE event = ? AND day IN ?");
        Duration span = warmUp.plus(measure).plus(drainLimit);
        Instant sendingFrom = Instant.now();
        List<LocalDate> days = Stream.of(sendingFrom.minus(TRANSIT), sendingFrom.plus(span))
                .map(time -> LocalDate.ofInstant(time, ZoneOffset.UTC)).distinct().toList();
        long deadline = System.nanoTime() + span.toNanos();
        Thread poller = new Thread(() -> {
            int visible = 0;
            while (visible < total && System.nanoTime() < deadline) {
                long count = 0;
                for (Row row : session.execute(totalQuery.bind(TallyTables.ALL_EVENTS, days))) {
                    count += row.getLong(0);
                }
                long now = System.nanoTime();
                while (visible < Math.min(count, total)) {
                    visibleAt[visible++] = now;
                }
                sleep(POLL_PAUSE);
            }
        }, "freshness-poller");
        poller.start();
        EventGenerator generator = EventGenerator.live(20_000L + perSecond, Clock.systemUTC(), TRANSIT, users);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 0), new ByteArraySerializer(), new ByteArraySerializer())) {
            long start = System.nanoTime();
            int sent = 0;
            while (sent < total) {
                long due = Math.min(total, (System.nanoTime() - start) * perSecond / 1_000_000_000L);
                for (; sent < due; sent++) {
                    sentAt[sent] = System.nanoTime();
                    producer.send(new ProducerRecord<>(topic, sent % partitions, null, generator.next().json()));
                }
                sleep(TICK);
            }
            producer.flush();
        }
        poller.join();
        long[] lags = new long[total - warmUpEvents];
        boolean allVisible = true;
        for (int k = warmUpEvents; k < total; k++) {
            if (visibleAt[k] < 0) {
                allVisible = false;
                lags[k - warmUpEvents] = deadline - sentAt[k];
            } else {
                lags[k - warmUpEvents] = visibleAt[k] - sentAt[k];
            }
        }
        Arrays.sort(lags);
        return new Result(perSecond, total, lags.length, millis(percentile(lags, 0.50)), millis(percentile(lags, 0.99)),
                millis(lags[lags.length - 1]), allVisible);
    }

    private static long percentile(long[] sorted, double fraction) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(fraction * sorted.length) - 1)];
    }

    private static long millis(long nanos) {
        return Math.round(nanos / 1e6);
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

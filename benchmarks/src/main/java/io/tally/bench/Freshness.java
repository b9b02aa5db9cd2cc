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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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

    /** The most a topology may take from its submission to showing the probe event. */
    private static final Duration START_LIMIT = Duration.ofMinutes(3);

    private static final Duration KEPT_UP_BACKLOG = Duration.ofSeconds(5);

    /**
     * @param produced events sent, the probe's and the warm-up's included
     * @param measured events after the warm-up, over which the percentiles are taken
     * @param allVisible every event was visible by the deadline
     * @param backlogSeconds events sent but not yet visible when the sending ended, in seconds of the offered rate
     */
    record Result(int offeredPerSecond, long produced, long measured, long p50Millis, long p99Millis, long maxMillis,
            boolean allVisible, double backlogSeconds, List<Window> timeline) {

        /**
         * Every event visible, and a backlog of at most {@link #KEPT_UP_BACKLOG} when the sending ended: a pipeline
         * offered more than it sustains shows every event in the end, but each later than the last.
         */
        boolean keptUp() {
            return allVisible && backlogSeconds <= KEPT_UP_BACKLOG.toSeconds();
        }
    }

    /**
     * The events sent within one {@link #WINDOW} of the run, so that a stall can be placed in time beside the
     * garbage collector's and Cassandra's logs.
     *
     * @param sentFrom the window's start, wall clock
     */
    record Window(Instant sentFrom, int sent, long p50Millis, long maxMillis) {
        @Override
        public String toString() {
            return sentFrom + " sent " + sent + " p50 " + p50Millis + " ms max " + maxMillis + " ms";
        }
    }

    static final Duration WINDOW = Duration.ofSeconds(5);

    private Freshness() {
    }

    /**
     * Sends live events (each stamped when sent, less up to {@link #TRANSIT}) from {@code users} users at
     * {@code perSecond}, as production traffic arrives. The first event is a probe sent alone: the paced sending
     * starts once it is visible, so that the topology's start-up (its states restoring) is not measured as a backlog.
     */
    static Result measure(String bootstrap, String topic, int partitions, CqlSession session, String keyspace,
            int perSecond, int users, Duration warmUp, Duration measure, Duration drainLimit)
            throws InterruptedException {
        int warmUpEvents = 1 + (int) (perSecond * warmUp.toMillis() / 1000);
        int total = warmUpEvents + (int) (perSecond * measure.toMillis() / 1000);
        long[] sentAt = new long[total];
        long[] visibleAt = new long[total];
        Arrays.fill(visibleAt, -1);
        PreparedStatement totalQuery = session.prepare("SELECT count FROM " + keyspace
                + ".event_counts_by_hour WHERE event = ? AND day IN ?");
        Duration span = START_LIMIT.plus(warmUp).plus(measure).plus(drainLimit);
        Instant probedAt = Instant.now();
        List<LocalDate> days = Stream.of(probedAt.minus(TRANSIT), probedAt.plus(span))
                .map(time -> LocalDate.ofInstant(time, ZoneOffset.UTC)).distinct().toList();
        AtomicLong deadline = new AtomicLong(System.nanoTime() + span.toNanos());
        CountDownLatch probeVisible = new CountDownLatch(1);
        Thread poller = new Thread(() -> {
            int visible = 0;
            while (visible < total && System.nanoTime() < deadline.get()) {
                long count = 0;
                for (Row row : session.execute(totalQuery.bind(TallyTables.ALL_EVENTS, days))) {
                    count += row.getLong(0);
                }
                long now = System.nanoTime();
                while (visible < Math.min(count, total)) {
                    visibleAt[visible++] = now;
                }
                if (visible > 0) {
                    probeVisible.countDown();
                }
                sleep(POLL_PAUSE);
            }
        }, "freshness-poller");
        poller.start();
        EventGenerator generator = EventGenerator.live(20_000L + perSecond, Clock.systemUTC(), TRANSIT, users);
        Instant sendingFrom;
        long sendingFromNanos;
        long sendingEnded;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, 0), new ByteArraySerializer(), new ByteArraySerializer())) {
            sentAt[0] = System.nanoTime();
            producer.send(new ProducerRecord<>(topic, 0, null, generator.next().json()));
            producer.flush();
            probeVisible.await(START_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
            sendingFrom = Instant.now();
            sendingFromNanos = System.nanoTime();
            deadline.set(sendingFromNanos + warmUp.plus(measure).plus(drainLimit).toNanos());
            int sent = 1;
            while (sent < total) {
                long due = Math.min(total, 1 + (System.nanoTime() - sendingFromNanos) * perSecond / 1_000_000_000L);
                for (; sent < due; sent++) {
                    sentAt[sent] = System.nanoTime();
                    producer.send(new ProducerRecord<>(topic, sent % partitions, null, generator.next().json()));
                }
                sleep(TICK);
            }
            producer.flush();
            sendingEnded = System.nanoTime();
        }
        poller.join();
        return summarize(perSecond, warmUpEvents, sendingFrom, sendingFromNanos, sendingEnded, deadline.get(), sentAt,
                visibleAt);
    }

    /**
     * The result of a run from its events' send and visible times ({@code System.nanoTime()}; -1 for never visible,
     * which counts as visible at {@code deadline}). Event 0 is the probe, events 1 to {@code warmUpEvents - 1} the
     * warm-up; the timeline covers every event but the probe.
     */
    static Result summarize(int perSecond, int warmUpEvents, Instant sendingFrom, long sendingFromNanos,
            long sendingEnded, long deadline, long[] sentAt, long[] visibleAt) {
        int total = sentAt.length;
        long[] lags = new long[total];
        boolean allVisible = true;
        int visibleWhenSendingEnded = 0;
        for (int k = 0; k < total; k++) {
            allVisible &= visibleAt[k] >= 0;
            visibleWhenSendingEnded += visibleAt[k] >= 0 && visibleAt[k] <= sendingEnded ? 1 : 0;
            lags[k] = (visibleAt[k] < 0 ? deadline : visibleAt[k]) - sentAt[k];
        }
        double backlogSeconds = (total - visibleWhenSendingEnded) / (double) perSecond;
        List<Window> timeline = timeline(sendingFrom, sendingFromNanos, Arrays.copyOfRange(sentAt, 1, total),
                Arrays.copyOfRange(lags, 1, total));
        long[] measuredLags = Arrays.copyOfRange(lags, warmUpEvents, total);
        Arrays.sort(measuredLags);
        return new Result(perSecond, total, measuredLags.length, millis(percentile(measuredLags, 0.50)),
                millis(percentile(measuredLags, 0.99)), millis(measuredLags[measuredLags.length - 1]),
                allVisible, Math.round(backlogSeconds * 10) / 10.0, timeline);
    }

    private static List<Window> timeline(Instant sendingFrom, long sendingFromNanos, long[] sentAt, long[] lags) {
        List<Window> windows = new ArrayList<>();
        int first = 0;
        while (first < sentAt.length) {
            long windowIndex = (sentAt[first] - sendingFromNanos) / WINDOW.toNanos();
            long windowEnd = sendingFromNanos + (windowIndex + 1) * WINDOW.toNanos();
            int end = first;
            while (end < sentAt.length && sentAt[end] < windowEnd) {
                end++;
            }
            long[] window = Arrays.copyOfRange(lags, first, end);
            Arrays.sort(window);
            windows.add(new Window(sendingFrom.plus(WINDOW.multipliedBy(windowIndex)), window.length,
                    millis(percentile(window, 0.50)), millis(window[window.length - 1])));
            first = end;
        }
        return windows;
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

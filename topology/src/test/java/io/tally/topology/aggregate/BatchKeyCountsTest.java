package io.tally.topology.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.bolts.event.Event;
import io.tally.bolts.event.EventType;
import io.tally.testsupport.RecordingCollector;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.storm.trident.tuple.TridentTupleView;
import org.apache.storm.tuple.Fields;
import org.junit.jupiter.api.Test;

class BatchKeyCountsTest {
    private static final long HOUR = 3_600_000L;

    @Test
    void emitsEachDistinctKeyOnceWithHowOftenTheKeysFunctionEmittedIt() {
        Map<List<Object>, Long> byKey = countHourly(List.of(event("Signed Up", 10), event("Signed Up", 20),
                event("Order Completed", 30), event("Signed Up", HOUR + 5)));

        assertThat(byKey).containsOnly(
                Map.entry(List.of("Signed Up", 0L), 2L),
                Map.entry(List.of("Order Completed", 0L), 1L),
                Map.entry(List.of("Signed Up", HOUR), 1L),
                Map.entry(List.of("*", 0L), 3L),
                Map.entry(List.of("*", HOUR), 1L));
    }

    @Test
    void aRolledUpKeyThatIsAlsoACountedKeyIsEmittedOnceWithBothCounts() {
        Map<List<Object>, Long> byKey = countHourly(List.of(event("*", 10), event("Signed Up", 20)));

        assertThat(byKey).containsOnly(Map.entry(List.of("Signed Up", 0L), 1L), Map.entry(List.of("*", 0L), 3L));
    }

    /** One batch of {@code events} through the hourly event counts; each emitted key must be distinct. */
    private static Map<List<Object>, Long> countHourly(List<Event> events) {
        BatchKeyCounts counts = EventBuckets.counts(UtcBucket.HOUR);
        counts.prepare(Map.of(), null);
        RecordingCollector collector = new RecordingCollector();
        var state = counts.init(1L, collector);
        for (Event event : events) {
            counts.aggregate(state, TridentTupleView.createFreshTuple(new Fields("event"), event), collector);
        }
        counts.complete(state, collector);

        Map<List<Object>, Long> byKey = new HashMap<>();
        for (List<Object> values : collector.emitted()) {
            assertThat(byKey.put(values.subList(0, 2), (Long) values.get(2))).as("emitted once: " + values).isNull();
        }
        return byKey;
    }

    private static Event event(String name, long timestamp) {
        return new Event(EventType.TRACK, name, "m-" + name + timestamp, "user-1", null, timestamp, timestamp, null,
                null, null);
    }
}

package io.tally.topology.segment;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.topology.RecordingCollector;
import java.util.Arrays;
import java.util.List;
import org.apache.storm.trident.tuple.TridentTupleView;
import org.apache.storm.tuple.Fields;
import org.junit.jupiter.api.Test;

class SegmentEntriesTest {
    private static final long DAY = 86_400_000L;
    private final SegmentEntries entries = new SegmentEntries();
    private final RecordingCollector collector = new RecordingCollector();

    @Test
    void aNewMemberEntersOnItsDay() {
        assertThat(changes(5L, null)).containsExactly(List.of(5 * DAY, 1L));
    }

    @Test
    void aLateEventMovesTheEntryEarlier() {
        assertThat(changes(3L, 5L)).containsExactly(List.of(5 * DAY, -1L), List.of(3 * DAY, 1L));
    }

    @Test
    void anUnchangedEntryChangesNothing() {
        assertThat(changes(5L, 5L)).isEmpty();
    }

    private List<List<Object>> changes(Long qualifiedDay, Long enteredBefore) {
        collector.clear();
        entries.execute(TridentTupleView.createFreshTuple(new Fields("qualified_day", "entered_before"),
                Arrays.asList(qualifiedDay, enteredBefore)), collector);
        return collector.emitted();
    }
}

package io.tally.topology.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.bolts.event.EventNames;
import io.tally.state.schema.TallyTables;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventBucketsTest {
    @Test
    void aKeyEqualsAndHashesLikeTheListOfItsNameAndBucketStart() {
        NameAndBucket key = new NameAndBucket("Signed Up", 3_600_000L);
        List<Object> list = List.of("Signed Up", 3_600_000L);

        assertThat(key).isEqualTo(list).hasSameHashCodeAs(list).containsExactly("Signed Up", 3_600_000L);
        assertThat(list).isEqualTo(key);
        assertThat(key).isEqualTo(new NameAndBucket(new String("Signed Up"), 3_600_000L))
                .isNotEqualTo(new NameAndBucket("Signed Up", 0L))
                .isNotEqualTo(new NameAndBucket("Signed Out", 3_600_000L))
                .isNotEqualTo(List.of("Signed Up", 3_600_000L, 1L));
    }

    @Test
    void theAllEventsKeyIsTheNameIngestReserves() {
        assertThat(EventNames.isReserved(TallyTables.ALL_EVENTS)).isTrue();
    }
}

package io.tally.state.segment;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SegmentProgressTest {
    private static final long D16 = LocalDate.parse("2026-11-16").toEpochDay();
    private static final int KEEP = 8;

    private static long noon(long day) {
        return day * SegmentProgress.DAY_MILLIS + 43_200_000L;
    }

    private static SegmentProgress advance(SegmentProgress before, int atLeast, int withinDays, long... days) {
        Map<Long, Long> batch = new TreeMap<>();
        long last = Long.MIN_VALUE;
        for (long day : days) {
            batch.merge(day, 1L, Long::sum);
            last = Math.max(last, noon(day));
        }
        return SegmentProgress.advance(before, batch, last, atLeast, withinDays, KEEP);
    }

    @Test
    void oneMatchingEventQualifiesOnItsDayAndMembershipIsSticky() {
        SegmentProgress first = advance(null, 1, 1, D16 + 2);
        assertThat(first.qualifiedOn()).isEqualTo(LocalDate.parse("2026-11-18"));
        assertThat(first.events()).isEqualTo(1);
        assertThat(first.openDays()).as("nothing can qualify later than now").isEmpty();
        SegmentProgress later = advance(first, 1, 1, D16 + 40);
        assertThat(later.qualifiedOn()).isEqualTo(LocalDate.parse("2026-11-18"));
        assertThat(later.events()).isEqualTo(2);
        assertThat(later.lastActivityMillis()).isEqualTo(noon(D16 + 40));
    }

    @Test
    void perDayThresholdCrossedWithinOneBatchOrAcrossBatches() {
        assertThat(advance(null, 3, 1, D16, D16, D16).qualifiedDay()).isEqualTo(D16);
        SegmentProgress two = advance(null, 3, 1, D16, D16, D16 + 1);
        assertThat(two.qualified()).isFalse();
        assertThat(two.openDays()).containsExactly(Map.entry(D16, 2L), Map.entry(D16 + 1, 1L));
        assertThat(advance(two, 3, 1, D16 + 1).qualified()).as("two days of two are not three in a day").isFalse();
        assertThat(advance(two, 3, 1, D16).qualifiedDay()).isEqualTo(D16);
    }

    @Test
    void rollingWindowCountsConsecutiveDays() {
        SegmentProgress apart = advance(null, 3, 2, D16, D16 + 2, D16 + 4);
        assertThat(apart.qualified()).isFalse();
        SegmentProgress adjacent = advance(apart, 3, 2, D16 + 3);
        assertThat(adjacent.qualifiedDay()).as("no two consecutive days hold three").isNull();
        assertThat(advance(adjacent, 3, 2, D16 + 3).qualifiedDay()).isEqualTo(D16 + 3);
        assertThat(advance(null, 3, 3, D16, D16 + 2, D16 + 4).qualified()).isFalse();
        assertThat(advance(null, 3, 5, D16, D16 + 2, D16 + 4).qualifiedDay()).isEqualTo(D16 + 4);
    }

    @Test
    void aLateEventMovesTheEntryEarlierNeverLater() {
        SegmentProgress member = advance(null, 2, 1, D16 + 3, D16 + 3, D16 + 1);
        assertThat(member.qualifiedDay()).isEqualTo(D16 + 3);
        assertThat(member.openDays()).as("only days before the entry are kept").containsOnlyKeys(D16 + 1);
        SegmentProgress moved = advance(member, 2, 1, D16 + 1);
        assertThat(moved.qualifiedDay()).isEqualTo(D16 + 1);
        assertThat(moved.events()).isEqualTo(4);
        assertThat(moved.lastActivityMillis()).isEqualTo(noon(D16 + 3));
        assertThat(advance(moved, 2, 1, D16 + 5, D16 + 5).qualifiedDay()).isEqualTo(D16 + 1);
    }

    @Test
    void daysTooOldToMatterAreDropped() {
        SegmentProgress old = advance(null, 5, 2, D16, D16 + 1);
        SegmentProgress later = advance(old, 5, 2, D16 + 11);
        assertThat(later.openDays()).as("kept: days from 11 - 8 - 2 = day 1").containsOnlyKeys(D16 + 1, D16 + 11);
        assertThat(later.events()).isEqualTo(3);
    }

    @Test
    void perDayCountsAreStoredAsReadableText() {
        SegmentProgress progress = advance(null, 9, 1, D16, D16, D16 + 1);
        SegmentProgressCodec codec = new SegmentProgressCodec();
        assertThat(codec.encode(progress)).containsExactly(3L, Instant.ofEpochMilli(noon(D16 + 1)), null,
                "2026-11-16=2,2026-11-17=1");
        assertThat(SegmentProgressCodec.parseDays("2026-11-16=2,2026-11-17=1")).isEqualTo(progress.openDays());
        assertThat(SegmentProgressCodec.parseDays("")).isEmpty();
    }
}

package io.tally.state.cassandra.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class KnownRowKeysTest {
    private static final LocalDate CUTOFF_DAY = LocalDate.parse("2026-12-05");
    private static final long CUTOFF = Instant.parse("2026-12-05T06:00:00Z").toEpochMilli();

    @Test
    void keepsPartitionsFromTheCutoffOnAndEachSeriesLastOneBeforeIt() {
        List<Object> signUpsLong = List.of("Signed Up", CUTOFF_DAY.minusDays(30));
        List<Object> signUpsBefore = List.of("Signed Up", CUTOFF_DAY);
        List<Object> signUpsAfter = List.of("Signed Up", CUTOFF_DAY.plusDays(1));
        List<Object> ordersOld = List.of("Order Completed", CUTOFF_DAY.minusDays(3));
        List<Object> ordersOlder = List.of("Order Completed", CUTOFF_DAY.minusDays(9));

        assertThat(KnownRowKeys.mayHoldRecentRows(
                List.of(signUpsLong, ordersOlder, signUpsAfter, signUpsBefore, ordersOld), CUTOFF))
                .containsExactlyInAnyOrder(signUpsAfter, signUpsBefore, ordersOld);
    }

    @Test
    void keepsEveryPartitionWithoutATimeBucket() {
        List<Object> november = List.of("Signed Up", "2026-11");
        List<Object> december = List.of("Signed Up", "2026-12");
        assertThat(KnownRowKeys.mayHoldRecentRows(List.of(november, december), CUTOFF))
                .containsExactlyInAnyOrder(november, december);
    }

    @Test
    void hourPartitionsAreSeriesOfTimestamps() {
        Instant hour = Instant.parse("2026-12-05T05:00:00Z");
        List<Object> before = List.of("Page Viewed", hour);
        List<Object> earlier = List.of("Page Viewed", hour.minusSeconds(3600));
        List<Object> after = List.of("Page Viewed", hour.plusSeconds(3600));
        assertThat(KnownRowKeys.mayHoldRecentRows(List.of(earlier, before, after), CUTOFF))
                .containsExactlyInAnyOrder(before, after);
    }
}

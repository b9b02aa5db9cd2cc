package io.tally.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SeriesFormatTest {
    private final Series series = new Series("events 'Signed Up' per day", "day", List.of(
            new Series.Point("2026-11-20", 40), new Series.Point("2026-11-21", 0), new Series.Point("2026-11-22", 20)));

    @Test
    void tableAlignsValuesAndDrawsBarsScaledToTheLargest() {
        assertThat(SeriesFormat.TABLE.render(series)).isEqualTo("""
                events 'Signed Up' per day
                day         count
                2026-11-20     40  ########################################
                2026-11-21      0 \s
                2026-11-22     20  ####################
                total          60
                """);
    }

    @Test
    void csvAndJsonCarryTheSamePoints() {
        assertThat(SeriesFormat.CSV.render(series)).isEqualTo("day,count\n2026-11-20,40\n2026-11-21,0\n2026-11-22,20\n");
        assertThat(SeriesFormat.JSON.render(series))
                .contains("\"total\" : 60")
                .contains("\"day\" : \"2026-11-21\",\n    \"count\" : 0");
    }

    @Test
    void distinctUsersPerDayPrintNoTotalBecauseTheyDoNotAddUp() {
        Series users = new Series("active users per day", "day", series.points(), false);
        assertThat(SeriesFormat.TABLE.render(users)).doesNotContain("total");
        assertThat(SeriesFormat.JSON.render(users)).doesNotContain("total");
    }

    @Test
    void csvQuotesLabelsWithCommas() {
        Series values = new Series("by plan", "plan", List.of(new Series.Point("pro, yearly", 3)));
        assertThat(SeriesFormat.CSV.render(values)).isEqualTo("plan,count\n\"pro, yearly\",3\n");
    }

    @Test
    void listingsAlignTheirColumnsInEveryFormat() {
        Listing members = new Listing("members of 'buyers'", List.of("user_id", "qualified_on", "events"), List.of(
                List.of("user-1", "2026-11-16", "12"), List.of("anon-7f, x", "2026-11-18", "1")));
        assertThat(SeriesFormat.TABLE.render(members)).isEqualTo("""
                members of 'buyers'
                user_id     qualified_on  events
                user-1      2026-11-16    12
                anon-7f, x  2026-11-18    1
                2 rows
                """);
        assertThat(SeriesFormat.CSV.render(members))
                .isEqualTo("user_id,qualified_on,events\nuser-1,2026-11-16,12\n\"anon-7f, x\",2026-11-18,1\n");
        assertThat(SeriesFormat.JSON.render(members)).contains("\"user_id\" : \"user-1\",\n    \"qualified_on\" : \"2026-11-16\"");
    }

    @Test
    void rangesAreHalfOpenAndRoundedDownToTheBucket() {
        assertThat(SeriesQueries.buckets(Instant.parse("2026-11-20T10:30:00Z"), Instant.parse("2026-11-20T13:00:00Z"),
                Granularity.HOUR)).containsExactly(Instant.parse("2026-11-20T10:00:00Z"),
                Instant.parse("2026-11-20T11:00:00Z"), Instant.parse("2026-11-20T12:00:00Z"));
    }

    @Test
    void emptyAndOverlongRangesAreRefusedWithTheReason() {
        Instant t = Instant.parse("2026-11-20T10:00:00Z");
        assertThatThrownBy(() -> SeriesQueries.buckets(t, t, Granularity.HOUR))
                .isInstanceOf(QueryException.class).hasMessageContaining("empty range");
        assertThatThrownBy(() -> SeriesQueries.buckets(t, t.plusSeconds(86_400 * 10), Granularity.MINUTE))
                .isInstanceOf(QueryException.class).hasMessageContaining("use a coarser --granularity");
    }
}

package io.tally.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class JourneyListingsTest {

    @Test
    void funnelRowsShowSharesOfEnteredAndOfThePreviousStepAndTheMeanTime() {
        FunnelQueries.Funnel funnel = new FunnelQueries.Funnel("checkout", Instant.parse("2026-11-01T00:00:00Z"),
                Instant.parse("2026-11-02T00:00:00Z"), List.of(new FunnelQueries.Step(1, 200, 0),
                        new FunnelQueries.Step(2, 50, 50 * 60_000L), new FunnelQueries.Step(3, 10, 10 * 7_200_000L)));
        Listing listing = funnel.listing(true);
        assertThat(listing.columns()).containsExactly("step", "users", "of_entered", "of_previous",
                "mean_from_previous", "");
        assertThat(listing.rows()).containsExactly(
                List.of("1", "200", "100.0%", "100.0%", "", "#".repeat(40)),
                List.of("2", "50", "25.0%", "25.0%", "PT1M", "#".repeat(10)),
                List.of("3", "10", "5.0%", "20.0%", "PT2H", "##"));
        assertThat(funnel.listing(false).columns()).hasSize(5);
    }

    @Test
    void retentionTriangleShowsEachPeriodAsUsersAndShareOfTheCohort() {
        Map<LocalDate, Map<Integer, Long>> cohorts = new TreeMap<>();
        cohorts.put(LocalDate.parse("2026-11-01"), new TreeMap<>(Map.of(0, 40L, 1, 10L, 2, 4L)));
        cohorts.put(LocalDate.parse("2026-11-02"), new TreeMap<>(Map.of(0, 8L, 1, 2L)));
        Listing listing = new RetentionQueries.Triangle("signups", "day", cohorts).listing();
        assertThat(listing.columns()).containsExactly("cohort", "users", "d1", "d2");
        assertThat(listing.rows()).containsExactly(
                List.of("2026-11-01", "40", "10 (25.0%)", "4 (10.0%)"),
                List.of("2026-11-02", "8", "2 (25.0%)", ""));
        assertThat(new RetentionQueries.Triangle("signups", "week_or_later", cohorts).listing().columns())
                .containsExactly("cohort", "users", "w1", "w2");
    }
}

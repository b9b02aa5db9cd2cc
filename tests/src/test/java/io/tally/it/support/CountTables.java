package io.tally.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import io.tally.testsupport.Eventually;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Reads Tally's hourly counts per event (without the all-events total) whole, as an analyst's CQL would, for comparison with the truth. */
public final class CountTables {
    private CountTables() {
    }

    public static Map<HourKey, Long> hourly(CqlSession session, String keyspace) {
        Map<HourKey, Long> counts = new HashMap<>();
        for (Row row : session.execute("SELECT event, hour, count FROM " + keyspace + ".event_counts_by_hour")) {
            if (row.getString("event").equals("*")) {
                continue; // the all-events total, checked by AggregatesTest
            }
            counts.put(new HourKey(row.getString("event"), row.getInstant("hour").toEpochMilli()), row.getLong("count"));
        }
        return counts;
    }

    /**
     * Waits up to {@code drain} for the hourly counts to equal the truth, asserts they do, and that they still do
     * two seconds later (nothing counted twice by a late replay).
     */
    public static void assertExact(CqlSession session, String keyspace, Truth truth, Duration drain) {
        Map<HourKey, Long> expected = truth.hourly();
        Map<HourKey, Long> counted = Eventually.poll(() -> hourly(session, keyspace), expected::equals, drain);
        assertThat(total(counted)).isEqualTo(truth.events());
        assertThat(counted).isEqualTo(expected);
        Eventually.sleep(Duration.ofSeconds(2));
        assertThat(hourly(session, keyspace)).isEqualTo(expected);
    }

    /** The rejected records counted per reason, over every hour ({@code rejected_counts_by_hour}). */
    public static Map<String, Long> rejectedPerReason(CqlSession session, String keyspace) {
        Map<String, Long> perReason = new java.util.TreeMap<>();
        for (Row row : session.execute("SELECT reason, count FROM " + keyspace + ".rejected_counts_by_hour")) {
            perReason.merge(row.getString("reason"), row.getLong("count"), Long::sum);
        }
        return perReason;
    }

    public static long total(Map<HourKey, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }
}

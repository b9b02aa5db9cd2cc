package io.tally.it.support;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
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

    public static long total(Map<HourKey, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }
}

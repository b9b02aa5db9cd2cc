package io.tally.state.schema;

import io.tally.state.cassandra.KeyMapper;
import io.tally.state.cassandra.LongCodec;
import io.tally.state.cassandra.MapTable;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The map tables of {@code deploy/schema.cql}, as the topology writes them. Each constant's key
 * mapper says which Trident group-by key the table expects.
 */
public final class TallyTables {

    /**
     * Trident key {@code [event String, hourStart epoch-millis Long]} → row {@code ((event, day), hour)}:
     * one day of one event is one partition.
     */
    public static final MapTable<Long> EVENT_COUNTS_BY_HOUR = new MapTable<>("event_counts_by_hour",
            List.of("event", "day"), List.of("hour"), new EventHourKey(), new LongCodec("count"));

    private TallyTables() {
    }

    /** Maps {@code [event, hourStartMillis]} to {@code [event, day, hour]} in UTC. */
    static final class EventHourKey implements KeyMapper {
        private static final long serialVersionUID = 1L;

        @Override
        public List<Object> toColumns(List<Object> tridentKey) {
            Instant hour = Instant.ofEpochMilli(((Number) tridentKey.get(1)).longValue());
            return List.of(tridentKey.get(0), LocalDate.ofInstant(hour, ZoneOffset.UTC), hour);
        }
    }
}

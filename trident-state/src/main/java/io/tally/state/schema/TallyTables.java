package io.tally.state.schema;

import io.tally.state.cassandra.KeyMapper;
import io.tally.state.cassandra.LongCodec;
import io.tally.state.cassandra.MapTable;
import io.tally.state.cassandra.RowBinder;
import io.tally.state.cassandra.RowTable;
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
            List.of("event", "day"), List.of("hour"), new NameHourKey(), new LongCodec("count"));

    /**
     * Trident key {@code [reason code String, hourStart epoch-millis Long]} → row {@code ((reason, day), hour)}.
     */
    public static final MapTable<Long> REJECTED_COUNTS_BY_HOUR = new MapTable<>("rejected_counts_by_hour",
            List.of("reason", "day"), List.of("hour"), new NameHourKey(), new LongCodec("count"));

    /** Columns of {@code rejected_events}, in the order its binder supplies them. */
    public static final List<String> REJECTED_EVENTS_COLUMNS = List.of(
            "reason", "hour", "source", "position", "received_at", "detail", "payload", "truncated");

    /** {@code rejected_events}, one row per rejected record, with the binder that fills it from a tuple. */
    public static RowTable rejectedEvents(RowBinder binder) {
        return new RowTable("rejected_events", List.of("reason", "hour"), REJECTED_EVENTS_COLUMNS, binder);
    }

    private TallyTables() {
    }

    /** Maps {@code [name, hourStartMillis]} to {@code [name, day, hour]} in UTC. */
    static final class NameHourKey implements KeyMapper {
        private static final long serialVersionUID = 1L;

        @Override
        public List<Object> toColumns(List<Object> tridentKey) {
            Instant hour = Instant.ofEpochMilli(((Number) tridentKey.get(1)).longValue());
            return List.of(tridentKey.get(0), LocalDate.ofInstant(hour, ZoneOffset.UTC), hour);
        }
    }
}

package io.tally.state.segment;

import com.datastax.oss.driver.api.core.cql.Row;
import io.tally.state.cassandra.ValueCodec;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.NavigableMap;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * Stores a {@link SegmentProgress} in readable columns: {@code events}, {@code last_activity}, {@code qualified_on}
 * (unset while not a member) and {@code open_days}, the per-day counts as text {@code 2026-11-16=3,2026-11-17=1}.
 * The per-day counts are few (see {@link SegmentProgress}), so text costs little and can be read with cqlsh.
 */
public final class SegmentProgressCodec implements ValueCodec<SegmentProgress> {
    private static final long serialVersionUID = 1L;

    @Override
    public List<String> columns() {
        return List.of("events", "last_activity", "qualified_on", "open_days");
    }

    @Override
    public List<String> cqlTypes() {
        return List.of("bigint", "timestamp", "date", "text");
    }

    @Override
    public List<Object> encode(SegmentProgress value) {
        StringJoiner days = new StringJoiner(",");
        value.openDays().forEach((day, count) -> days.add(LocalDate.ofEpochDay(day) + "=" + count));
        return Arrays.asList(value.events(), Instant.ofEpochMilli(value.lastActivityMillis()), value.qualifiedOn(),
                days.toString());
    }

    @Override
    public SegmentProgress decode(Row row, String prefix) {
        if (row.isNull(prefix + "events")) {
            return null;
        }
        LocalDate qualified = row.getLocalDate(prefix + "qualified_on");
        return new SegmentProgress(row.getLong(prefix + "events"),
                row.getInstant(prefix + "last_activity").toEpochMilli(),
                qualified == null ? null : qualified.toEpochDay(), parseDays(row.getString(prefix + "open_days")));
    }

    /** Events, last activity, the qualified day ({@link Long#MIN_VALUE}: none), then the per-day counts. */
    @Override
    public byte[] serialize(SegmentProgress value) {
        ByteBuffer out = ByteBuffer.allocate(8 * 4 + 16 * value.openDays().size());
        out.putLong(value.events()).putLong(value.lastActivityMillis())
                .putLong(value.qualifiedDay() == null ? Long.MIN_VALUE : value.qualifiedDay())
                .putLong(value.openDays().size());
        value.openDays().forEach((day, count) -> out.putLong(day).putLong(count));
        return out.array();
    }

    @Override
    public SegmentProgress deserialize(ByteBuffer bytes) {
        ByteBuffer in = bytes.duplicate();
        long events = in.getLong();
        long lastActivity = in.getLong();
        long qualified = in.getLong();
        long days = in.getLong();
        NavigableMap<Long, Long> openDays = new TreeMap<>();
        for (long i = 0; i < days; i++) {
            openDays.put(in.getLong(), in.getLong());
        }
        return new SegmentProgress(events, lastActivity, qualified == Long.MIN_VALUE ? null : qualified, openDays);
    }

    static NavigableMap<Long, Long> parseDays(String text) {
        NavigableMap<Long, Long> days = new TreeMap<>();
        if (text != null && !text.isEmpty()) {
            for (String entry : text.split(",")) {
                int equals = entry.indexOf('=');
                days.put(LocalDate.parse(entry.substring(0, equals)).toEpochDay(),
                        Long.parseLong(entry.substring(equals + 1)));
            }
        }
        return days;
    }
}

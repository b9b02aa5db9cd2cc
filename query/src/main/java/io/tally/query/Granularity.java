package io.tally.query;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/** The bucket sizes Tally keeps, with the table partition each bucket lives in. */
public enum Granularity {
    MINUTE(ChronoUnit.MINUTES, "event_counts_by_minute", "minute", "hour"),
    HOUR(ChronoUnit.HOURS, "event_counts_by_hour", "hour", "day"),
    DAY(ChronoUnit.DAYS, "event_counts_by_day", "day", "month");

    private final ChronoUnit unit;
    final String countTable;
    final String bucketColumn;
    final String partitionColumn;

    Granularity(ChronoUnit unit, String countTable, String bucketColumn, String partitionColumn) {
        this.unit = unit;
        this.countTable = countTable;
        this.bucketColumn = bucketColumn;
        this.partitionColumn = partitionColumn;
    }

    public Instant floor(Instant time) {
        return time.truncatedTo(unit);
    }

    public Instant next(Instant bucket) {
        return bucket.plus(1, unit);
    }

    /** The value of the partition column that holds {@code bucket}. */
    Object partitionOf(Instant bucket) {
        return switch (this) {
            case MINUTE -> bucket.truncatedTo(ChronoUnit.HOURS);
            case HOUR -> LocalDate.ofInstant(bucket, ZoneOffset.UTC);
            case DAY -> {
                LocalDate day = LocalDate.ofInstant(bucket, ZoneOffset.UTC);
                yield String.format("%04d-%02d", day.getYear(), day.getMonthValue());
            }
        };
    }

    /** The bucket as its clustering column's bind value. */
    Object bucketValue(Instant bucket) {
        return this == DAY ? LocalDate.ofInstant(bucket, ZoneOffset.UTC) : bucket;
    }
}

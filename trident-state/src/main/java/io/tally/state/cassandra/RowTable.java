package io.tally.state.cassandra;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A Cassandra table Tally writes rows to, one per tuple, as idempotent upserts: the primary key names the input
 * that produced the row (say a rejected record's source and position), so writing the same batch again
 * overwrites the same rows and nothing is duplicated. No transaction ids are needed.
 *
 * @param name the table
 * @param partitionKeyColumns the partition key, first in {@link RowBinder#values} order
 * @param columns every column in {@link RowBinder#values} order, partition key first
 * @param binder turns a tuple into the row's values
 * @param ttlSeconds how long a row is kept after it was (last) written; 0 keeps it for ever
 */
public record RowTable(String name, List<String> partitionKeyColumns, List<String> columns, RowBinder binder,
        long ttlSeconds) implements Serializable {

    /** A table whose rows are kept for ever. */
    public RowTable(String name, List<String> partitionKeyColumns, List<String> columns, RowBinder binder) {
        this(name, partitionKeyColumns, columns, binder, 0);
    }

    public RowTable {
        if (ttlSeconds < 0) {
            throw new IllegalArgumentException("table " + name + ": ttl must not be negative");
        }
        Objects.requireNonNull(binder, "binder");
        partitionKeyColumns = List.copyOf(partitionKeyColumns);
        columns = List.copyOf(columns);
        if (!columns.subList(0, Math.min(columns.size(), partitionKeyColumns.size())).equals(partitionKeyColumns)) {
            throw new IllegalArgumentException("table " + name + ": the partition key columns must come first");
        }
    }

    /** The same table with its columns filled by another binder. */
    public RowTable withBinder(RowBinder other) {
        return new RowTable(name, partitionKeyColumns, new ArrayList<>(columns), other, ttlSeconds);
    }

    /** The same table with rows expiring {@code ttl} (whole seconds; zero keeps them for ever) after each write. */
    public RowTable withTtl(Duration ttl) {
        return new RowTable(name, partitionKeyColumns, new ArrayList<>(columns), binder, ttl.toSeconds());
    }
}

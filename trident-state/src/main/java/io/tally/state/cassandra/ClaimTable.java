package io.tally.state.cassandra;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A Cassandra table of first claims: for each key (a {@code messageId}, a user on a day, …) the source coordinates
 * of the one input record that counts for it. See {@link FirstClaimState} for why this makes de-duplication and
 * distinct counting exactly once.
 *
 * <p>Columns: the key columns, then {@value #SOURCE_COLUMN} and {@value #POSITION_COLUMN} of the claiming record.
 *
 * @param ttlSeconds how long a claim is kept (0: forever); a key seen again after that is claimed anew
 */
public record ClaimTable(String name, List<String> partitionKeyColumns, List<String> clusteringColumns,
        KeyMapper keyMapper, long ttlSeconds) implements Serializable {

    public static final String SOURCE_COLUMN = "source";
    public static final String POSITION_COLUMN = "position";

    public ClaimTable {
        Objects.requireNonNull(keyMapper, "key mapper");
        partitionKeyColumns = List.copyOf(partitionKeyColumns);
        clusteringColumns = List.copyOf(clusteringColumns);
        if (partitionKeyColumns.isEmpty() || clusteringColumns.isEmpty()) {
            throw new IllegalArgumentException("claim table " + name + " needs partition and clustering key columns");
        }
        if (ttlSeconds < 0) {
            throw new IllegalArgumentException("claim table " + name + ": ttl must not be negative");
        }
    }

    /** The same table with claims expiring after {@code ttl} (whole seconds; zero keeps them forever). */
    public ClaimTable withTtl(Duration ttl) {
        return new ClaimTable(name, partitionKeyColumns, clusteringColumns, keyMapper, ttl.toSeconds());
    }

    public List<String> keyColumns() {
        List<String> all = new ArrayList<>(partitionKeyColumns);
        all.addAll(clusteringColumns);
        return all;
    }

    public List<String> columns() {
        List<String> all = keyColumns();
        all.add(SOURCE_COLUMN);
        all.add(POSITION_COLUMN);
        return all;
    }
}

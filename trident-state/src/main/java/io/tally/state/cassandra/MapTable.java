package io.tally.state.cassandra;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A Cassandra table that holds one Trident map state: key columns, value columns, and the opaque
 * bookkeeping beside them.
 *
 * <p>Each row stores the current value, the {@code txid} of the batch that last wrote it, and the
 * value before that batch under the {@code prev_} prefix. That is Trident's opaque-transactional
 * protocol: when a batch is replayed (same txid) the state recomputes from the previous value, so the
 * batch counts once even if its first attempt had already been written, and even if the replayed
 * batch holds different records than the first attempt.
 */
public final class MapTable<T> implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Column holding the id of the Trident batch that last wrote the row. */
    public static final String TXID_COLUMN = "txid";
    /** Prefix of the columns holding the value before that batch. */
    public static final String PREVIOUS_PREFIX = "prev_";

    private final String name;
    private final List<String> partitionKeyColumns;
    private final List<String> clusteringColumns;
    private final KeyMapper keyMapper;
    private final ValueCodec<T> codec;

    public MapTable(String name, List<String> partitionKeyColumns, List<String> clusteringColumns,
            KeyMapper keyMapper, ValueCodec<T> codec) {
        this.name = requireIdentifier(name);
        if (partitionKeyColumns.isEmpty()) {
            throw new IllegalArgumentException("table " + name + " needs at least one partition key column");
        }
        this.partitionKeyColumns = List.copyOf(partitionKeyColumns);
        this.clusteringColumns = List.copyOf(clusteringColumns);
        this.partitionKeyColumns.forEach(MapTable::requireIdentifier);
        this.clusteringColumns.forEach(MapTable::requireIdentifier);
        this.keyMapper = Objects.requireNonNull(keyMapper, "key mapper");
        this.codec = Objects.requireNonNull(codec, "value codec");
    }

    public String name() {
        return name;
    }

    public List<String> partitionKeyColumns() {
        return partitionKeyColumns;
    }

    public List<String> clusteringColumns() {
        return clusteringColumns;
    }

    public List<String> keyColumns() {
        List<String> all = new ArrayList<>(partitionKeyColumns);
        all.addAll(clusteringColumns);
        return all;
    }

    public KeyMapper keyMapper() {
        return keyMapper;
    }

    public ValueCodec<T> codec() {
        return codec;
    }

    private static String requireIdentifier(String identifier) {
        if (identifier == null || !identifier.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException(
                    "'" + identifier + "' is not a plain lower-case CQL identifier");
        }
        return identifier;
    }

    @Override
    public String toString() {
        return name + keyColumns();
    }
}

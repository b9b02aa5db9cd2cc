package io.tally.state.cassandra.internal;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import io.tally.state.cassandra.MapTable;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** The CQL text of a map table's statements, kept apart from executing them so it can be checked alone. */
final class TableStatements {
    private TableStatements() {
    }

    static String qualifiedName(String keyspace, MapTable<?> table) {
        return CqlIdentifier.fromInternal(keyspace).asCql(true) + "." + table.name();
    }

    static List<String> valueColumns(MapTable<?> table) {
        List<String> columns = new ArrayList<>(table.codec().columns());
        columns.add(MapTable.TXID_COLUMN);
        for (String column : table.codec().columns()) {
            columns.add(MapTable.PREVIOUS_PREFIX + column);
        }
        return columns;
    }

    /** Reads many rows of a map table at once; see {@link #selectIn(String, String, List, List)}. */
    static String selectIn(String keyspace, MapTable<?> table) {
        return selectIn(keyspace, table.name(), allColumns(table), table.keyColumns());
    }

    /**
     * Reads many rows at once: every key column but the last equal, the last {@code IN} a list, so the rows of one
     * partition (or of one clustering prefix) come back from one query.
     */
    static String selectIn(String keyspace, String table, List<String> selected, List<String> keyColumns) {
        List<String> equal = keyColumns.subList(0, keyColumns.size() - 1);
        return "SELECT " + String.join(", ", selected) + " FROM " + CqlIdentifier.fromInternal(keyspace).asCql(true)
                + "." + table + " WHERE " + (equal.isEmpty() ? "" : equalities(equal) + " AND ")
                + keyColumns.get(keyColumns.size() - 1) + " IN ?";
    }

    static String insert(String keyspace, MapTable<?> table) {
        return insert(keyspace, table.name(), allColumns(table));
    }

    static String insert(String keyspace, String table, List<String> columns) {
        return "INSERT INTO " + CqlIdentifier.fromInternal(keyspace).asCql(true) + "." + table
                + " (" + String.join(", ", columns) + ") VALUES ("
                + columns.stream().map(c -> "?").collect(Collectors.joining(", ")) + ")";
    }

    /** An insert whose rows expire after {@code ttlSeconds} (none when 0). */
    static String insert(String keyspace, String table, List<String> columns, long ttlSeconds) {
        return insert(keyspace, table, columns) + (ttlSeconds > 0 ? " USING TTL " + ttlSeconds : "");
    }

    static List<String> allColumns(MapTable<?> table) {
        List<String> columns = new ArrayList<>(table.keyColumns());
        columns.addAll(valueColumns(table));
        return columns;
    }

    private static String equalities(List<String> columns) {
        return columns.stream().map(c -> c + " = ?").collect(Collectors.joining(" AND "));
    }
}

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

    /** Reads one row by its full primary key. */
    static String selectOne(String keyspace, MapTable<?> table) {
        return "SELECT " + String.join(", ", allColumns(table)) + " FROM " + qualifiedName(keyspace, table)
                + " WHERE " + equalities(table.keyColumns());
    }

    /**
     * Reads many rows of one partition at once: equal partition key, last clustering column IN a
     * list. Only for tables with exactly one clustering column.
     */
    static String selectManyInPartition(String keyspace, MapTable<?> table) {
        String clustering = table.clusteringColumns().get(0);
        return "SELECT " + String.join(", ", allColumns(table)) + " FROM " + qualifiedName(keyspace, table)
                + " WHERE " + equalities(table.partitionKeyColumns()) + " AND " + clustering + " IN ?";
    }

    static String insert(String keyspace, MapTable<?> table) {
        return insert(keyspace, table.name(), allColumns(table));
    }

    static String insert(String keyspace, String table, List<String> columns) {
        return "INSERT INTO " + CqlIdentifier.fromInternal(keyspace).asCql(true) + "." + table
                + " (" + String.join(", ", columns) + ") VALUES ("
                + columns.stream().map(c -> "?").collect(Collectors.joining(", ")) + ")";
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

package io.tally.state.cassandra.internal;

import com.datastax.oss.driver.api.core.cql.Row;
import io.tally.state.cassandra.CassandraSettings;
import io.tally.state.cassandra.MapTable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.storm.trident.state.OpaqueValue;
import org.apache.storm.trident.state.map.IBackingMap;

/**
 * Reads and writes one batch's keys of a {@link MapTable} through {@link PartitionedRequests}: one {@code IN}
 * query per partition (or clustering prefix) to read, unlogged single-partition batches to write, bounded in
 * flight. Any failed request fails the whole call with a {@link org.apache.storm.topology.FailedException}, which
 * makes Trident replay the batch; the opaque values stored beside each row make that replay safe.
 */
public final class CassandraBackingMap<T> implements WriteBehindBackingMap.TableRows<T> {
    private final CassandraSettings settings;
    private final MapTable<T> table;
    private final BoundedRequests requests;
    private final PartitionedRequests partitioned;
    private final PartitionedRequests background;
    private final int valueColumnCount;
    private final KnownRowKeys known;
    private PreparedTable prepared;

    public CassandraBackingMap(CassandraSettings settings, MapTable<T> table, StateMetrics metrics) {
        this(settings, table, metrics, null);
    }

    /** @param known the rows that may exist, to skip reading the others; null to read every key */
    public CassandraBackingMap(CassandraSettings settings, MapTable<T> table, StateMetrics metrics,
            KnownRowKeys known) {
        this.settings = settings;
        this.known = known;
        this.table = table;
        this.requests = new BoundedRequests(settings.maxRequestsInFlight(), settings.requestTimeout().toMillis(),
                settings.keyspace() + "." + table.name(), metrics);
        this.partitioned = new PartitionedRequests(requests, metrics);
        this.background = new PartitionedRequests(new BoundedRequests(backgroundRequestsInFlight(settings),
                settings.requestTimeout().toMillis(), settings.keyspace() + "." + table.name(), metrics), metrics);
        this.valueColumnCount = table.codec().columns().size();
    }

    @Override
    public List<OpaqueValue<T>> multiGet(List<List<Object>> keys) {
        return read(keys, known);
    }

    /**
     * The same table read for every key asked, through this map's statements and request bound. The known row keys
     * are this partition's: a key of another partition looks absent to them, which a restore checking the log's keys
     * against the table must not take for an answer. Read-only.
     */
    public IBackingMap<OpaqueValue<T>> everyRow() {
        return new IBackingMap<>() {
            @Override
            public List<OpaqueValue<T>> multiGet(List<List<Object>> keys) {
                return read(keys, null);
            }

            @Override
            public void multiPut(List<List<Object>> keys, List<OpaqueValue<T>> values) {
                throw new UnsupportedOperationException("every row is read here, written through the map itself");
            }
        };
    }

    private List<OpaqueValue<T>> read(List<List<Object>> keys, KnownRowKeys known) {
        if (keys.isEmpty()) {
            return List.of();
        }
        PreparedTable p = prepared();
        List<List<Object>> rowKeys = new ArrayList<>(keys.size());
        keys.forEach(key -> rowKeys.add(table.keyMapper().toColumns(key)));
        List<List<Object>> toRead = rowKeys;
        if (known != null) {
            toRead = new ArrayList<>(rowKeys.size());
            for (List<Object> rowKey : rowKeys) {
                if (known.mayExist(rowKey)) {
                    toRead.add(rowKey);
                }
            }
            if (toRead.isEmpty()) {
                return Collections.nCopies(keys.size(), null);
            }
        }
        Map<List<Object>, OpaqueValue<T>> found = new HashMap<>();
        List<String> keyColumns = table.keyColumns();
        for (Row row : partitioned.readByKeys(p.session(), p.selectIn(), p.read(), toRead)) {
            List<Object> rowKey = new ArrayList<>(keyColumns.size());
            for (String column : keyColumns) {
                rowKey.add(row.getObject(column));
            }
            found.put(rowKey, decode(row));
        }
        List<OpaqueValue<T>> result = new ArrayList<>(keys.size());
        for (List<Object> rowKey : rowKeys) {
            result.add(found.get(rowKey));
        }
        return result;
    }

    @Override
    public void multiPut(List<List<Object>> keys, List<OpaqueValue<T>> values) {
        if (!keys.isEmpty()) {
            partitioned.writeRows(prepared(), table.partitionKeyColumns().size(), rows(keys, values));
        }
    }

    /**
     * Notes the keys as written and encodes their rows here; the returned write sends them, on any thread (the known
     * row keys are this partition's, and only its batch thread may touch them), with few requests in flight.
     */
    @Override
    public Runnable prepareWrite(List<List<Object>> keys, List<OpaqueValue<T>> values) {
        if (keys.isEmpty()) {
            return () -> { };
        }
        List<List<Object>> rows = rows(keys, values);
        PreparedTable statements = prepared();
        return () -> background.writeRows(statements, table.partitionKeyColumns().size(), rows);
    }

    /**
     * A write in the background, such as a write-behind flush, keeps a thirty-second of the batches' bound in flight:
     * Cassandra serves requests in the order they come, and a batch's few requests would otherwise wait behind a
     * flush's whole window of them.
     */
    static int backgroundRequestsInFlight(CassandraSettings settings) {
        return Math.max(1, settings.maxRequestsInFlight() / 32);
    }

    private List<List<Object>> rows(List<List<Object>> keys, List<OpaqueValue<T>> values) {
        List<List<Object>> rows = new ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            List<Object> row = new ArrayList<>(table.keyMapper().toColumns(keys.get(i)));
            if (known != null) {
                known.writing(row);
            }
            OpaqueValue<T> value = values.get(i);
            encode(row, value.getCurr());
            row.add(value.getCurrTxid());
            // A null previous value stays unset (not null) so no tombstone is written.
            encode(row, value.getPrev());
            rows.add(row);
        }
        return rows;
    }

    private void encode(List<Object> columns, T value) {
        if (value == null) {
            for (int i = 0; i < valueColumnCount; i++) {
                columns.add(null);
            }
        } else {
            columns.addAll(table.codec().encode(value));
        }
    }

    private OpaqueValue<T> decode(Row row) {
        T current = table.codec().decode(row, "");
        if (current == null) {
            return null;
        }
        Long txid = row.isNull(MapTable.TXID_COLUMN) ? null : row.getLong(MapTable.TXID_COLUMN);
        return new OpaqueValue<>(txid, current, table.codec().decode(row, MapTable.PREVIOUS_PREFIX));
    }

    private PreparedTable prepared() {
        if (prepared == null) {
            String keyspace = settings.keyspace();
            prepared = PreparedTable.connect(settings, TableStatements.selectIn(keyspace, table),
                    TableStatements.insert(keyspace, table), requests);
        }
        return prepared;
    }
}

package io.tally.state.cassandra.internal;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatementBuilder;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.type.DataType;
import com.datastax.oss.driver.api.core.type.DataTypes;
import com.datastax.oss.driver.api.core.type.codec.TypeCodecs;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * One batch's reads and writes against one table, shaped so their cost grows with partitions touched rather
 * than with rows: rows that share everything but their last key column are read with one {@code IN} query, and
 * rows of one partition are written as unlogged batches (Cassandra applies one as a single mutation). Both are
 * cut into chunks of {@link #MAX_KEYS_PER_REQUEST} so no request grows large enough to warn or time out.
 * Everything runs through {@link BoundedRequests}: bounded in flight, and one failure fails the batch.
 */
final class PartitionedRequests {
    static final int MAX_KEYS_PER_REQUEST = 100;

    private final BoundedRequests requests;
    private final StateMetrics metrics;

    PartitionedRequests(BoundedRequests requests, StateMetrics metrics) {
        this.requests = requests;
        this.metrics = metrics;
    }

    /**
     * Reads the rows with these full primary keys (absent rows are simply not returned).
     *
     * @param selectIn {@code SELECT … WHERE k1 = ? AND … AND k(n-1) = ? AND kn IN ?}
     */
    List<Row> readByKeys(CqlSession session, PreparedStatement selectIn, ConsistencyLevel consistency,
            List<List<Object>> rowKeys) {
        if (rowKeys.isEmpty()) {
            return List.of();
        }
        int prefix = rowKeys.get(0).size() - 1;
        Map<List<Object>, List<Object>> lastValuesByPrefix = new LinkedHashMap<>();
        for (List<Object> key : rowKeys) {
            lastValuesByPrefix.computeIfAbsent(key.subList(0, prefix), k -> new ArrayList<>()).add(key.get(prefix));
        }
        long started = System.nanoTime();
        List<CompletionStage<List<Row>>> reads = new ArrayList<>();
        for (Map.Entry<List<Object>, List<Object>> group : lastValuesByPrefix.entrySet()) {
            for (List<Object> chunk : chunks(group.getValue())) {
                List<Object> values = new ArrayList<>(group.getKey());
                values.add(List.copyOf(chunk));
                BoundStatement statement = selectIn.bind(values.toArray()).setConsistencyLevel(consistency);
                reads.add(requests.submit(() -> session.executeAsync(statement))
                        .thenCompose(first -> collectPages(first, new ArrayList<>())));
            }
        }
        List<Row> rows = new ArrayList<>();
        requests.awaitAll(reads, "read").forEach(rows::addAll);
        metrics.read(rowKeys.size(), reads.size(), System.nanoTime() - started);
        return rows;
    }

    /**
     * Writes the statements, each tagged with the partition key of the row it writes.
     *
     * @param partitionKeys {@code partitionKeys.get(i)} is the partition written by {@code inserts.get(i)}
     */
    void writeByPartition(CqlSession session, ConsistencyLevel consistency, List<List<Object>> partitionKeys,
            List<BoundStatement> inserts) {
        if (inserts.isEmpty()) {
            return;
        }
        Map<List<Object>, List<BoundStatement>> byPartition = new LinkedHashMap<>();
        for (int i = 0; i < inserts.size(); i++) {
            byPartition.computeIfAbsent(partitionKeys.get(i), k -> new ArrayList<>()).add(inserts.get(i));
        }
        long started = System.nanoTime();
        List<CompletionStage<AsyncResultSet>> writes = new ArrayList<>();
        for (List<BoundStatement> rows : byPartition.values()) {
            for (List<BoundStatement> chunk : chunks(rows)) {
                if (chunk.size() == 1) {
                    BoundStatement single = chunk.get(0).setConsistencyLevel(consistency);
                    writes.add(requests.submit(() -> session.executeAsync(single)));
                } else {
                    BatchStatementBuilder batch = BatchStatement.builder(DefaultBatchType.UNLOGGED)
                            .setConsistencyLevel(consistency);
                    chunk.forEach(batch::addStatement);
                    BatchStatement statement = batch.build();
                    writes.add(requests.submit(() -> session.executeAsync(statement)));
                }
            }
        }
        requests.awaitAll(writes, "write");
        metrics.wrote(inserts.size(), writes.size(), System.nanoTime() - started);
    }

    /**
     * Inserts whole rows (values in the insert's column order, partition key first), grouped by partition.
     */
    void writeRows(PreparedTable table, int partitionColumns, List<List<Object>> rows) {
        List<List<Object>> partitions = new ArrayList<>(rows.size());
        List<BoundStatement> inserts = new ArrayList<>(rows.size());
        for (List<Object> row : rows) {
            partitions.add(row.subList(0, partitionColumns));
            inserts.add(bindSkippingNulls(table.insert().boundStatementBuilder(), 0, row).build());
        }
        writeByPartition(table.session(), table.write(), partitions, inserts);
    }

    /** Binds {@code values} in order, leaving nulls unset so no tombstone is written for them. */
    static BoundStatementBuilder bindSkippingNulls(BoundStatementBuilder statement, int firstIndex, List<Object> values) {
        int index = firstIndex;
        for (Object value : values) {
            if (value != null) {
                set(statement, index, value);
            }
            index++;
        }
        return statement;
    }

    /**
     * Text and bigint columns, most of what Tally writes, get their codec directly: asking the registry for it by the
     * value's class, once per value, was a visible share of a batch's write.
     */
    @SuppressWarnings("unchecked")
    private static <V> void set(BoundStatementBuilder statement, int index, V value) {
        DataType type = statement.getType(index);
        if (value instanceof String text && DataTypes.TEXT.equals(type)) {
            statement.set(index, text, TypeCodecs.TEXT);
        } else if (value instanceof Long number && DataTypes.BIGINT.equals(type)) {
            statement.set(index, number, TypeCodecs.BIGINT);
        } else if (value instanceof ByteBuffer bytes && DataTypes.BLOB.equals(type)) {
            // The registry has no codec for the concrete class (HeapByteBuffer) a buffer's getClass() names.
            statement.set(index, bytes, TypeCodecs.BLOB);
        } else {
            statement.set(index, value, (Class<V>) value.getClass());
        }
    }

    static <E> List<List<E>> chunks(List<E> all) {
        List<List<E>> chunks = new ArrayList<>((all.size() + MAX_KEYS_PER_REQUEST - 1) / MAX_KEYS_PER_REQUEST);
        for (int from = 0; from < all.size(); from += MAX_KEYS_PER_REQUEST) {
            chunks.add(all.subList(from, Math.min(all.size(), from + MAX_KEYS_PER_REQUEST)));
        }
        return chunks;
    }

    private static CompletionStage<List<Row>> collectPages(AsyncResultSet page, List<Row> rows) {
        return forEachRow(page, rows::add).thenApply(done -> rows);
    }

    /** Hands every row of this page and the pages after it to {@code each}, one page after another. */
    static CompletionStage<Void> forEachRow(AsyncResultSet page, Consumer<Row> each) {
        page.currentPage().forEach(each);
        if (!page.hasMorePages()) {
            return CompletableFuture.completedFuture(null);
        }
        return page.fetchNextPage().thenCompose(next -> forEachRow(next, each));
    }
}

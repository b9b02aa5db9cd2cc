package io.tally.state.cassandra.internal;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.tally.state.cassandra.CassandraSettings;
import io.tally.state.cassandra.SessionRegistry;
import io.tally.state.cassandra.MapTable;
import io.tally.state.cassandra.RowRoute;
import io.tally.state.keyed.KeyRouting;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import it.unimi.dsi.fastutil.longs.LongCollection;
import it.unimi.dsi.fastutil.longs.LongOpenHashSet;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which rows of a map table one state partition may find in Cassandra, so that a key no row holds is answered as
 * absent without a read. Most keys a per-user state is asked for are new (a user's first matching event), and each
 * would otherwise cost a read that finds nothing.
 *
 * <h2>Why no row is ever missed</h2>
 * The set holds a 64-bit fingerprint of every row key that {@linkplain #scanStart a scan} of the table found, and of
 * every key this partition {@linkplain #writing writes} from the moment it was made, added before the write is sent.
 * A row that exists was either written before the scan began (by this partition's predecessors, whose writes completed
 * before their batches committed, so the scan finds it) or written by this partition since (so it was added). The
 * only writer of a key is the partition its route lands on ({@link RowRoute}); a row of another partition's key is
 * never asked for here, so the scan keeps only this partition's keys. A key the set holds is read as before, so a
 * fingerprint shared by two keys, or a key written and since deleted, costs a read and changes no answer. Until the
 * scan has finished, and after a scan failed, every key is read, as without the set.
 *
 * <p>A table of time buckets (counts per minute, hour, day) grows without end, while new writes land in recent
 * buckets: with a {@code recent} period, the set keeps only rows whose bucket (the last timestamp or date among its
 * key columns) is at most that old when the scan starts, and a key of an older bucket is always read. So the argument
 * above holds for every key the set answers for, and its memory is bounded by the rows of the period.
 *
 * <h2>Memory</h2>
 * A fingerprint per row of this partition in an open-addressing set of longs: 8 to 21 bytes per row, depending on
 * how full the set is since it last grew. The scan reads only the key columns, once per partition start, in a
 * background thread, so a restart does not wait for it; with a recent period it lists the table's Cassandra
 * partitions and reads only those that {@linkplain #mayHoldRecentRows may hold recent rows}, several at a time
 * (bounded as a batch's requests are), so its cost follows the recent rows, not the table's history. Its rows count as the state's rows read.
 */
public final class KnownRowKeys {
    private static final Logger LOG = LoggerFactory.getLogger(KnownRowKeys.class);
    private static final int SCAN_PAGE_ROWS = 5_000;

    private final String description;
    private final RowRoute route;
    private final int partition;
    private final int partitions;
    private final long recentMillis;
    private long cutoffMillis = Long.MIN_VALUE;
    /** Secret, so that senders choosing ids cannot aim keys at one fingerprint (which would only cost reads). */
    private final KeyRouting fingerprints = KeyRouting.random();
    private final LongOpenHashSet known = new LongOpenHashSet();
    private final StringBuilder text = new StringBuilder();
    private volatile LongOpenHashSet scanned;
    private volatile long scanRowsRead;
    private volatile long scanRequests;
    private StateMetrics metrics = StateMetrics.unregistered();
    private boolean ready;

    /**
     * @param route the route of a row key ({@link MapTable#keyColumns()} values); null when every key of the table
     *     may be this partition's
     * @param recentMillis how old a row's bucket may be for the set to answer for it; {@link Long#MAX_VALUE}: any
     */
    public KnownRowKeys(String description, RowRoute route, int partition, int partitions, long recentMillis) {
        this.description = description;
        this.recentMillis = recentMillis;
        this.route = route;
        this.partition = partition;
        this.partitions = partitions;
    }

    /** Scans the table's keys in a background thread; until it is done every key counts as possibly present. */
    public void scanStart(CassandraSettings settings, MapTable<?> table, StateMetrics metrics) {
        this.metrics = metrics;
        if (recentMillis != Long.MAX_VALUE) {
            cutoffMillis = System.currentTimeMillis() - recentMillis;
        }
        Thread scan = new Thread(() -> scan(settings, table), "tally-known-keys-" + table.name() + "-" + partition);
        scan.setDaemon(true);
        scan.start();
    }

    /** Whether a row with these key columns may exist: false only when it certainly does not. */
    public boolean mayExist(List<Object> rowKey) {
        if (!ready) {
            LongOpenHashSet done = scanned;
            if (done == null) {
                return true;
            }
            known.addAll(done);
            scanned = null;
            metrics.read((int) Math.min(Integer.MAX_VALUE, scanRowsRead), (int) Math.min(Integer.MAX_VALUE, scanRequests));
            ready = true;
        }
        return bucketMillis(rowKey) < cutoffMillis || known.contains(fingerprint(rowKey));
    }

    /** Records that a row with these key columns is about to be written: call before sending the write. */
    public void writing(List<Object> rowKey) {
        known.add(fingerprint(rowKey));
    }

    /** The row's bucket: the last timestamp or date among its key columns; {@link Long#MAX_VALUE} if none. */
    static long bucketMillis(List<Object> rowKey) {
        for (int i = rowKey.size() - 1; i >= 0; i--) {
            Object column = rowKey.get(i);
            if (column instanceof Instant instant) {
                return instant.toEpochMilli();
            }
            if (column instanceof LocalDate date) {
                return date.toEpochDay() * 86_400_000L;
            }
        }
        return Long.MAX_VALUE;
    }

    private long fingerprint(List<Object> rowKey) {
        return fingerprint(fingerprints, text, rowKey);
    }

    /**
     * The columns' texts, each ended by a NUL, hashed: a column's text holding a NUL costs a read at most. Times and
     * dates are written as their epoch numbers, not formatted, which is most of the cost of a count key.
     */
    private static long fingerprint(KeyRouting hash, StringBuilder text, List<Object> rowKey) {
        text.setLength(0);
        for (Object column : rowKey) {
            if (column instanceof Instant instant) {
                text.append(instant.toEpochMilli());
            } else if (column instanceof LocalDate date) {
                text.append(date.toEpochDay());
            } else {
                text.append(column);
            }
            text.append('\u0000');
        }
        return hash.hash(text);
    }

    private void scan(CassandraSettings settings, MapTable<?> table) {
        long started = System.nanoTime();
        try {
            CqlSession session = SessionRegistry.connected(settings);
            ConsistencyLevel consistency = DefaultConsistencyLevel.valueOf(settings.readConsistency());
            String from = " FROM " + settings.keyspace() + "." + table.name();
            Scan scan = new Scan(table.keyColumns());
            if (cutoffMillis == Long.MIN_VALUE) {
                KeysRead all = new KeysRead(scan.keyColumns.size(), scan.found);
                session.execute(SimpleStatement.newInstance("SELECT " + scan.columnList() + from)
                        .setPageSize(SCAN_PAGE_ROWS).setConsistencyLevel(consistency)).forEach(all::add);
                scan.add(all);
            } else {
                List<String> partitionColumns = table.partitionKeyColumns();
                List<List<Object>> partitions = new ArrayList<>();
                for (Row row : session.execute(SimpleStatement.newInstance("SELECT DISTINCT "
                                + String.join(", ", partitionColumns) + from)
                        .setPageSize(SCAN_PAGE_ROWS).setConsistencyLevel(consistency))) {
                    partitions.add(columns(row, partitionColumns.size()));
                }
                scan.requests++;
                scan.rowsRead += partitions.size();
                PreparedStatement partitionRows = session.prepare("SELECT " + scan.columnList() + from + " WHERE "
                        + String.join(" = ? AND ", partitionColumns) + " = ?");
                // A year of daily partitions is thousands of reads: one after another, a restart waited for the sum
                // of their round trips. As many in flight as a batch's requests, each holding its permit until its
                // last page is in, so a long partition does not let more requests pile up behind it.
                BoundedRequests requests = new BoundedRequests(settings.maxRequestsInFlight(),
                        settings.requestTimeout().toMillis(), settings.keyspace() + "." + table.name(), metrics);
                List<CompletionStage<KeysRead>> reads = new ArrayList<>();
                for (List<Object> partitionKey : mayHoldRecentRows(partitions, cutoffMillis)) {
                    BoundStatement statement = partitionRows.bind(partitionKey.toArray())
                            .setPageSize(SCAN_PAGE_ROWS).setConsistencyLevel(consistency);
                    KeysRead read = new KeysRead(scan.keyColumns.size(), new LongArrayList());
                    reads.add(requests.submit(() -> session.executeAsync(statement)
                            .thenCompose(first -> PartitionedRequests.forEachRow(first, read::add))
                            .thenApply(done -> read)));
                }
                requests.joinAll(reads).forEach(scan::add);
            }
            scanned = scan.found;
            scanRowsRead = scan.rowsRead;
            scanRequests = scan.requests;
            LOG.info("{} partition {} of {}: {} of {} rows read are this partition's; keys not among them are not"
                            + " read (scanned in {} ms)", description, partition, partitions, scan.found.size(),
                    scan.rowsRead, (System.nanoTime() - started) / 1_000_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.info("{} partition {} of {}: scan of the table's keys interrupted; every key will be read",
                    description, partition, partitions);
        } catch (Exception e) {
            LOG.warn("{} partition {} of {}: could not scan the table's keys ({}); every key will be read, as it is"
                    + " without the scan", description, partition, partitions, e.toString());
        }
    }

    /**
     * The Cassandra partitions that may hold a row of a bucket at or after the cutoff. A table's partitions of one
     * series (the same partition key but for its bucket column) cover consecutive, non-overlapping spans of time,
     * so those that do are the ones starting at or after the cutoff and, of those starting before it, the last one,
     * whatever the span. A partition key without a time bucket may hold anything, so it is kept.
     */
    static List<List<Object>> mayHoldRecentRows(List<List<Object>> partitionKeys, long cutoffMillis) {
        List<List<Object>> kept = new ArrayList<>();
        Map<List<Object>, List<Object>> lastBeforeCutoff = new HashMap<>();
        for (List<Object> key : partitionKeys) {
            long bucket = bucketMillis(key);
            if (bucket >= cutoffMillis) {
                kept.add(key);
                continue;
            }
            lastBeforeCutoff.merge(seriesOf(key), key, (a, b) -> bucketMillis(a) >= bucketMillis(b) ? a : b);
        }
        kept.addAll(lastBeforeCutoff.values());
        return kept;
    }

    /** The partition key without its bucket column. */
    private static List<Object> seriesOf(List<Object> partitionKey) {
        List<Object> series = new ArrayList<>(partitionKey);
        for (int i = series.size() - 1; i >= 0; i--) {
            if (series.get(i) instanceof Instant || series.get(i) instanceof LocalDate) {
                series.remove(i);
                break;
            }
        }
        return series;
    }

    private static List<Object> columns(Row row, int count) {
        List<Object> values = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            values.add(row.getObject(i));
        }
        return values;
    }

    /** The fingerprints of this partition's recent keys among the rows a scan reads. */
    private static final class Scan {
        final List<String> keyColumns;
        final LongOpenHashSet found = new LongOpenHashSet();
        long rowsRead;
        long requests;

        Scan(List<String> keyColumns) {
            this.keyColumns = keyColumns;
        }

        String columnList() {
            return String.join(", ", keyColumns);
        }

        /** One request's rows, all pages of it; a read that kept its fingerprints in {@link #found} itself adds none. */
        void add(KeysRead read) {
            requests++;
            rowsRead += read.rowsRead;
            if (read.kept != found) {
                found.addAll(read.kept);
            }
        }
    }

    /**
     * What one request's rows hold for this partition. Filled by one thread at a time (a request's pages arrive one
     * after another), possibly a driver thread: the hash key and route are read-only, the text buffer its own.
     */
    private final class KeysRead {
        final int keyColumns;
        final LongCollection kept;
        final StringBuilder keyText = new StringBuilder();
        long rowsRead;

        KeysRead(int keyColumns, LongCollection kept) {
            this.keyColumns = keyColumns;
            this.kept = kept;
        }

        void add(Row row) {
            rowsRead++;
            List<Object> rowKey = columns(row, keyColumns);
            if (bucketMillis(rowKey) >= cutoffMillis
                    && (route == null || KeyRouting.partition(route.of(rowKey), partitions) == partition)) {
                kept.add(fingerprint(fingerprints, keyText, rowKey));
            }
        }
    }
}

package io.tally.state.cassandra.internal;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import io.tally.state.cassandra.CassandraSettings;
import io.tally.state.cassandra.MapTable;
import io.tally.state.cassandra.RowRoute;
import io.tally.state.keyed.KeyRouting;
import it.unimi.dsi.fastutil.longs.LongOpenHashSet;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
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
 * background thread, so a restart does not wait for it.
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
    public void scanStart(CassandraSettings settings, MapTable<?> table) {
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

    /** The columns' texts, each ended by a NUL, hashed: a column's text holding a NUL costs a read at most. */
    private static long fingerprint(KeyRouting hash, StringBuilder text, List<Object> rowKey) {
        text.setLength(0);
        for (Object column : rowKey) {
            text.append(column).append('\u0000');
        }
        return hash.hash(text);
    }

    private void scan(CassandraSettings settings, MapTable<?> table) {
        long started = System.nanoTime();
        List<String> columns = table.keyColumns();
        try {
            CqlSession session = SessionRegistry.connected(settings);
            SimpleStatement select = SimpleStatement.newInstance("SELECT " + String.join(", ", columns) + " FROM "
                            + settings.keyspace() + "." + table.name())
                    .setPageSize(SCAN_PAGE_ROWS)
                    .setConsistencyLevel(DefaultConsistencyLevel.valueOf(settings.readConsistency()));
            LongOpenHashSet found = new LongOpenHashSet();
            StringBuilder scanText = new StringBuilder();
            List<Object> rowKey = new ArrayList<>(columns.size());
            long rows = 0;
            for (Row row : session.execute(select)) {
                rows++;
                rowKey.clear();
                for (int i = 0; i < columns.size(); i++) {
                    rowKey.add(row.getObject(i));
                }
                if (bucketMillis(rowKey) >= cutoffMillis
                        && (route == null || KeyRouting.partition(route.of(rowKey), partitions) == partition)) {
                    found.add(fingerprint(fingerprints, scanText, rowKey));
                }
            }
            scanned = found;
            LOG.info("{} partition {} of {}: {} of {} rows are this partition's; keys not among them are not read"
                            + " (scanned in {} ms)", description, partition, partitions, found.size(), rows,
                    (System.nanoTime() - started) / 1_000_000);
        } catch (Exception e) {
            LOG.warn("{} partition {} of {}: could not scan the table's keys ({}); every key will be read, as it is"
                    + " without the scan", description, partition, partitions, e.toString());
        }
    }
}

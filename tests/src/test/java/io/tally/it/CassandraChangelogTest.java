package io.tally.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.it.support.RealServices;
import io.tally.it.support.TestKeyspaces;
import io.tally.state.cassandra.CassandraSettings;
import io.tally.state.cassandra.internal.CassandraChangelog;
import io.tally.state.cassandra.internal.StateMetrics;
import io.tally.state.keyed.KeyRouting;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The changelog's restore rule on the real Cassandra: a restore reads the batches before the first one the worker is
 * given, each from its last attempt only, across hour partitions, whatever parallelism wrote them.
 */
@ExtendWith(RealServices.class)
class CassandraChangelogTest {
    private static final long HOUR = 3_600_000L;
    private static final long RETENTION = 24 * HOUR;

    @Test
    void aRestoreReadsEachCommittedBatchFromItsLastAttempt() {
        CassandraSettings settings = TestKeyspaces.settings(TestKeyspaces.create("changelog"));
        CassandraChangelog log = new CassandraChangelog(settings, StateMetrics.unregistered());
        long now = System.currentTimeMillis();
        String store = "it-changelog/keys";
        // Batch 5: a first attempt by two partitions, then the attempt that committed, by one, an hour later.
        append(log, store, now - 2 * HOUR, 5, 0, 2, 0, "stale-a");
        append(log, store, now - 2 * HOUR, 5, 0, 2, 1, "stale-b");
        append(log, store, now - HOUR, 5, 1, 1, 0, "committed-5");
        append(log, store, now - HOUR, 6, 0, 1, 0, "committed-6");
        // Batch 7 is the one the restoring worker is given: its logged attempt never committed.
        append(log, store, now, 7, 0, 1, 0, "uncommitted-7");
        // Another store in the same keyspace.
        append(log, "other-topology/keys", now, 3, 0, 1, 0, "not-mine");

        assertThat(keys(log, store, now, 7)).containsExactlyInAnyOrder("committed-5", "committed-6");
        assertThat(keys(log, store, now, 6)).containsExactly("committed-5");
        assertThat(keys(log, store, now, 8)).containsExactlyInAnyOrder("committed-5", "committed-6", "uncommitted-7");
    }

    private static void append(CassandraChangelog log, String store, long batchMillis, long txid, int attempt,
            int partitions, int partition, String key) {
        log.append(store, batchMillis, txid, attempt, partitions, partition, List.of(key),
                IntArrayList.of(KeyRouting.withKey(1, 2).route(key)), RETENTION);
    }

    private static List<String> keys(CassandraChangelog log, String store, long now, long firstTxid) {
        List<String> keys = new ArrayList<>();
        log.read(store, now - RETENTION, now, firstTxid, (key, route, addedMillis) -> keys.add(key));
        return keys;
    }
}

package io.tally.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.cql.Row;
import io.tally.it.support.RealServices;
import io.tally.it.support.TestKeyspaces;
import io.tally.state.cassandra.CassandraSettings;
import io.tally.state.cassandra.ClaimTable;
import io.tally.state.cassandra.FirstClaimState;
import io.tally.state.cassandra.FirstClaimState.Claim;
import io.tally.state.cassandra.FirstClaimStateFactory;
import io.tally.state.schema.TallyTables;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The first-claim state on the real Cassandra: which record counts for each key, within a batch, across batches,
 * and when a state without a cache must read the claims back (a restarted worker, a replayed batch).
 */
@ExtendWith(RealServices.class)
class CassandraClaimStateTest {
    private static final long DAY = 86_400_000L;
    private static final long DAY_START = Instant.parse("2026-11-20T00:00:00Z").toEpochMilli();

    private static String keyspace;
    private static CassandraSettings settings;

    @BeforeAll
    static void schema() {
        keyspace = TestKeyspaces.create("claims");
        settings = TestKeyspaces.settings(keyspace);
    }

    @Test
    void userDaysAreClaimedByTheirFirstRecordAndReadBackByAStateWithoutCache() {
        // Three events on two days of 500 users: six partitions of 250 keys, each read with three IN queries.
        List<Claim> first = new ArrayList<>();
        long position = 0;
        for (int user = 0; user < 500; user++) {
            for (String event : List.of("Signed In", "Order Completed", "*")) {
                first.add(userDay(event, DAY_START + (user % 2) * DAY, "user-" + user, "kafka:events:0", position++));
            }
        }
        // The same user-day again later in the batch: not its first record.
        first.add(userDay("Signed In", DAY_START, "user-0", "kafka:events:1", 7));
        checkBatches(TallyTables.EVENT_USERS_BY_DAY, first);
    }

    @Test
    void messageIdsAreClaimedByTheirFirstRecordAcrossShards() {
        List<Claim> first = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            first.add(new Claim(List.of("message-" + i), "files:/logs/a.jsonl", i * 10L));
        }
        // A producer's retry of message-3, read from another source.
        first.add(new Claim(List.of("message-3"), "kafka:events:2", 41));
        checkBatches(TallyTables.seenMessages(Duration.ofDays(1)), first);
    }

    /**
     * A claim held in a state's cache must leave it when its row expires in Cassandra, not later: here a state reads
     * a claim back with 3 of its 8 seconds left, and once the row has expired, a new record with the key must claim it
     * again. A cache that trusted the claim for longer (say, half the TTL from reading it) would drop that record, so
     * the de-duplication window would depend on which state answered.
     */
    @Test
    void aCachedClaimExpiresWithItsRow() throws InterruptedException {
        // seen_messages with 8-second claims, in a table of its own: the other tests read all of seen_messages.
        ClaimTable seenMessages = TallyTables.seenMessages(Duration.ofSeconds(8));
        ClaimTable table = new ClaimTable("expiring_messages", seenMessages.partitionKeyColumns(),
                seenMessages.clusteringColumns(), seenMessages.keyMapper(), seenMessages.ttlSeconds());
        TestKeyspaces.session().execute("CREATE TABLE " + keyspace + ".expiring_messages (shard int, message_id text,"
                + " source text, position bigint, PRIMARY KEY ((shard), message_id))");
        List<Object> key = List.of("message-1");
        FirstClaimState writer = newState(table, FirstClaimStateFactory.DEFAULT_CACHE_ENTRIES);
        assertThat(writer.claim(List.of(new Claim(key, "kafka:events:0", 1)))).containsExactly(true);
        long written = System.nanoTime();

        Thread.sleep(Math.max(0, Duration.ofSeconds(5).toMillis() - (System.nanoTime() - written) / 1_000_000));
        FirstClaimState reader = newState(table, FirstClaimStateFactory.DEFAULT_CACHE_ENTRIES);
        assertThat(reader.claim(List.of(new Claim(key, "kafka:events:1", 2)))).containsExactly(false);

        String select = "SELECT message_id FROM " + keyspace + ".expiring_messages";
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (TestKeyspaces.session().execute(select).one() != null) {
            assertThat(System.nanoTime()).as("the claim's row expires within 10 s").isLessThan(deadline);
            Thread.sleep(50);
        }
        assertThat(reader.claim(List.of(new Claim(key, "kafka:events:2", 3)))).containsExactly(true);
        // The writer's own cached claim has expired too: the first record again finds the new claim in Cassandra.
        assertThat(writer.claim(List.of(new Claim(key, "kafka:events:0", 1)))).containsExactly(false);
        assertThat(TestKeyspaces.session().execute("SELECT source, position FROM " + keyspace + ".expiring_messages")
                .all()).singleElement().satisfies(row -> {
                    assertThat(row.getString(0)).isEqualTo("kafka:events:2");
                    assertThat(row.getLong(1)).isEqualTo(3);
                });
    }

    /**
     * Claims {@code first} as one batch. Then a second batch brings each key again from a new record, before the
     * records of the first batch again (a replay) and records with new keys; a state that did not find the first
     * batch's claims in Cassandra would give those keys to the new records. The second batch runs on the state
     * that keeps its cache, on fresh states without a cache and with one too small for the batch, and each
     * decision is checked against the rule worked out here: a record counts if and only if it is the first
     * record of its key.
     */
    private static void checkBatches(ClaimTable table, List<Claim> first) {
        Map<List<Object>, Claim> claimers = new LinkedHashMap<>();
        first.forEach(claim -> claimers.putIfAbsent(table.keyMapper().toColumns(claim.key()), claim));

        FirstClaimState cached = newState(table, FirstClaimStateFactory.DEFAULT_CACHE_ENTRIES);
        assertThat(cached.claim(first)).isEqualTo(expected(table, first, claimers));

        List<Claim> second = new ArrayList<>();
        for (Claim claim : first) {
            second.add(new Claim(claim.key(), "kafka:events:3", claim.position() + 1_000_000));
        }
        second.addAll(first);
        for (Claim claim : first.subList(0, 50)) {
            List<Object> newKey = new ArrayList<>(claim.key());
            newKey.set(newKey.size() - 1, newKey.get(newKey.size() - 1) + "-new");
            second.add(new Claim(newKey, "kafka:events:3", claim.position() + 2_000_000));
        }
        Map<List<Object>, Claim> secondClaimers = new LinkedHashMap<>(claimers);
        second.forEach(claim -> secondClaimers.putIfAbsent(table.keyMapper().toColumns(claim.key()), claim));
        List<Boolean> secondExpected = expected(table, second, secondClaimers);
        assertThat(secondExpected).contains(true, false);

        assertThat(newState(table, 0).claim(second)).isEqualTo(secondExpected);
        assertThat(newState(table, 10).claim(second)).isEqualTo(secondExpected);
        assertThat(cached.claim(second)).isEqualTo(secondExpected);

        Map<List<Object>, String> stored = new HashMap<>();
        for (Row row : TestKeyspaces.session().execute("SELECT * FROM " + keyspace + "." + table.name())) {
            List<Object> key = new ArrayList<>();
            table.keyColumns().forEach(column -> key.add(row.getObject(column)));
            stored.put(key, row.getString(ClaimTable.SOURCE_COLUMN) + "@" + row.getLong(ClaimTable.POSITION_COLUMN));
        }
        Map<List<Object>, String> claimed = new HashMap<>();
        secondClaimers.forEach((key, claim) -> claimed.put(key, claim.source() + "@" + claim.position()));
        assertThat(stored).isEqualTo(claimed);
    }

    private static List<Boolean> expected(ClaimTable table, List<Claim> batch, Map<List<Object>, Claim> claimers) {
        List<Boolean> counts = new ArrayList<>();
        for (Claim claim : batch) {
            Claim claimer = claimers.get(table.keyMapper().toColumns(claim.key()));
            counts.add(claimer.source().equals(claim.source()) && claimer.position() == claim.position());
        }
        return counts;
    }

    private static Claim userDay(String event, long dayStart, String user, String source, long position) {
        return new Claim(List.of(event, dayStart, user), source, position);
    }

    private static FirstClaimState newState(ClaimTable table, int cacheEntries) {
        return (FirstClaimState) FirstClaimStateFactory.of(settings, table).withCacheEntries(cacheEntries)
                .makeState(Map.of(), null, 0, 1);
    }
}

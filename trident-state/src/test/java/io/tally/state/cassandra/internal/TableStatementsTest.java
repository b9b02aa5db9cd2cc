package io.tally.state.cassandra.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.state.schema.TallyTables;
import org.junit.jupiter.api.Test;

class TableStatementsTest {

    @Test
    void readsManyRowsOfOnePartitionWithOneInQuery() {
        assertThat(TableStatements.selectIn("tally", TallyTables.EVENT_COUNTS_BY_HOUR)).isEqualTo(
                "SELECT event, day, hour, count, txid, prev_count FROM tally.event_counts_by_hour"
                        + " WHERE event = ? AND day = ? AND hour IN ?");
    }

    @Test
    void readsManyKeysOfATwoColumnClusteringWithTheFirstFixed() {
        assertThat(TableStatements.selectIn("tally", "t", java.util.List.of("a", "b", "c", "v"),
                java.util.List.of("a", "b", "c"))).isEqualTo("SELECT a, b, c, v FROM tally.t WHERE a = ? AND b = ? AND c IN ?");
    }

    @Test
    void readsSegmentProgressOfOneBucketWithOneInQuery() {
        assertThat(TableStatements.selectIn("tally", TallyTables.SEGMENT_PROGRESS)).isEqualTo(
                "SELECT segment, bucket, user_id, events, last_activity, qualified_on, open_days, txid, prev_events,"
                        + " prev_last_activity, prev_qualified_on, prev_open_days FROM tally.segment_progress"
                        + " WHERE segment = ? AND bucket = ? AND user_id IN ?");
    }

    @Test
    void insertsWithATimeToLive() {
        assertThat(TableStatements.insert("tally", "t", java.util.List.of("a", "b"), 60))
                .isEqualTo("INSERT INTO tally.t (a, b) VALUES (?, ?) USING TTL 60");
    }

    @Test
    void insertsKeyValueTxidAndPreviousValue() {
        assertThat(TableStatements.insert("Analytics", TallyTables.EVENT_COUNTS_BY_HOUR)).isEqualTo(
                "INSERT INTO \"Analytics\".event_counts_by_hour (event, day, hour, count, txid, prev_count)"
                        + " VALUES (?, ?, ?, ?, ?, ?)");
    }
}

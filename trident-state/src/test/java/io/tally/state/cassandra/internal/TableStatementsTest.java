package io.tally.state.cassandra.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.state.schema.TallyTables;
import org.junit.jupiter.api.Test;

class TableStatementsTest {

    @Test
    void selectsOneRowByItsFullPrimaryKey() {
        assertThat(TableStatements.selectOne("tally", TallyTables.EVENT_COUNTS_BY_HOUR)).isEqualTo(
                "SELECT event, day, hour, count, txid, prev_count FROM tally.event_counts_by_hour"
                        + " WHERE event = ? AND day = ? AND hour = ?");
    }

    @Test
    void readsManyRowsOfOnePartitionWithOneInQuery() {
        assertThat(TableStatements.selectManyInPartition("tally", TallyTables.EVENT_COUNTS_BY_HOUR)).isEqualTo(
                "SELECT event, day, hour, count, txid, prev_count FROM tally.event_counts_by_hour"
                        + " WHERE event = ? AND day = ? AND hour IN ?");
    }

    @Test
    void insertsKeyValueTxidAndPreviousValue() {
        assertThat(TableStatements.insert("Analytics", TallyTables.EVENT_COUNTS_BY_HOUR)).isEqualTo(
                "INSERT INTO \"Analytics\".event_counts_by_hour (event, day, hour, count, txid, prev_count)"
                        + " VALUES (?, ?, ?, ?, ?, ?)");
    }
}

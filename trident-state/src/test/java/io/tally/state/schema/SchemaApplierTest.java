package io.tally.state.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.state.cassandra.CassandraSettings;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SchemaApplierTest {

    @Test
    void bundledSchemaDefinesEveryMapTableTheTopologyWrites() {
        List<String> written = new java.util.ArrayList<>();
        TallyTables.countTables().forEach(table -> written.add(table.name()));
        written.add("keyed_state_log");
        written.add("keyed_state_spill_by_bucket");
        written.add(io.tally.state.cassandra.internal.CassandraValueLog.TABLE);
        written.add(io.tally.state.progress.ProgressLedger.TABLE);
        written.add(TallyTables.rejectedEvents(tuple -> List.of()).name());
        written.add(TallyTables.SEGMENT_PROGRESS.name());
        written.add(TallyTables.USER_JOURNEYS.name());
        written.add(TallyTables.segmentMembers(tuple -> List.of()).name());
        written.add(TallyTables.userSegments(tuple -> List.of()).name());
        assertThat(SchemaApplier.bundled().tableNames()).containsAll(written);
    }

    @Test
    void dropsCommentsAndSplitsStatements() {
        SchemaApplier schema = SchemaApplier.fromCql("""
                -- a comment; with a semicolon
                CREATE TABLE IF NOT EXISTS a (k int PRIMARY KEY);
                  -- indented comment
                CREATE TABLE IF NOT EXISTS b (
                    k int PRIMARY KEY
                );
                """);
        assertThat(schema.statements()).containsExactly(
                "CREATE TABLE IF NOT EXISTS a (k int PRIMARY KEY)",
                "CREATE TABLE IF NOT EXISTS b (\n    k int PRIMARY KEY\n)");
        assertThat(schema.tableNames()).containsExactly("a", "b");
    }

    @Test
    void semicolonsAndDashesInsideQuotesBelongToTheStatement() {
        SchemaApplier schema = SchemaApplier.fromCql(
                "CREATE TABLE IF NOT EXISTS c (k int PRIMARY KEY) -- trailing comment; still a comment\n"
                        + "  WITH comment = 'counts; exactly once -- really, it''s so';\n-- end\n");
        assertThat(schema.statements()).containsExactly(
                "CREATE TABLE IF NOT EXISTS c (k int PRIMARY KEY) \n  WITH comment = 'counts; exactly once -- really, it''s so'");
    }

    @Test
    void rendersReplicationAsCqlMap() {
        Map<String, String> replication = new LinkedHashMap<>();
        replication.put("class", "NetworkTopologyStrategy");
        replication.put("dc'1", "3");
        assertThat(SchemaApplier.replicationCql(replication))
                .isEqualTo("{'class': 'NetworkTopologyStrategy', 'dc''1': '3'}");
        assertThatThrownBy(() -> SchemaApplier.replicationCql(Map.of("replication_factor", "1")))
                .hasMessageContaining("needs a 'class'");
    }

    @Test
    void hourlyKeyPutsOneUtcDayOfOneEventInOnePartition() {
        long lateEvening = Instant.parse("2026-11-20T23:00:00Z").toEpochMilli();
        assertThat(TallyTables.EVENT_COUNTS_BY_HOUR.keyMapper().toColumns(List.of("Signed Up", lateEvening)))
                .containsExactly("Signed Up", LocalDate.parse("2026-11-20"), Instant.parse("2026-11-20T23:00:00Z"));
    }

    @Test
    void minuteDayAndBreakdownKeysHaveBoundedPartitions() {
        long minute = Instant.parse("2026-11-20T23:59:00Z").toEpochMilli();
        assertThat(TallyTables.EVENT_COUNTS_BY_MINUTE.keyMapper().toColumns(List.of("e", minute)))
                .containsExactly("e", Instant.parse("2026-11-20T23:00:00Z"), Instant.parse("2026-11-20T23:59:00Z"));
        long day = Instant.parse("2026-02-01T00:00:00Z").toEpochMilli();
        assertThat(TallyTables.EVENT_COUNTS_BY_DAY.keyMapper().toColumns(List.of("e", day)))
                .containsExactly("e", "2026-02", LocalDate.parse("2026-02-01"));
        assertThat(TallyTables.PROPERTY_COUNTS_BY_DAY.keyMapper().toColumns(List.of("e", "plan", "pro", day)))
                .containsExactly("e", "plan", "2026-02", LocalDate.parse("2026-02-01"), "pro");
    }

    @Test
    void segmentTablesKeepASegmentInBoundedBuckets() {
        List<Object> progress = TallyTables.SEGMENT_PROGRESS.keyMapper().toColumns(List.of("buyers", "user-7"));
        assertThat(progress).containsExactly("buyers", TallyTables.segmentBucket("user-7"), "user-7");
        // "user-7".hashCode() is -836031819, worked out by hand from the language's definition; its floorMod 32 is 21.
        assertThat(TallyTables.segmentBucket("user-7")).isEqualTo(21);
        long day = Instant.parse("2026-11-30T00:00:00Z").toEpochMilli();
        assertThat(TallyTables.SEGMENT_SIZES_BY_DAY.keyMapper().toColumns(List.of("buyers", day)))
                .containsExactly("buyers", "2026-11", LocalDate.parse("2026-11-30"));
    }

    @Test
    void bundledSchemaHasEveryColumnOfTheSegmentTables() {
        assertColumns("segment_members", TallyTables.SEGMENT_MEMBERS_COLUMNS);
        assertColumns("user_segments", TallyTables.USER_SEGMENTS_COLUMNS);
        List<String> progress = new java.util.ArrayList<>(TallyTables.SEGMENT_PROGRESS.keyColumns());
        progress.add("txid");
        for (String column : TallyTables.SEGMENT_PROGRESS.codec().columns()) {
            progress.add(column);
            progress.add("prev_" + column);
        }
        assertColumns("segment_progress", progress);
        List<String> journeys = new java.util.ArrayList<>(TallyTables.USER_JOURNEYS.keyColumns());
        journeys.addAll(List.of("txid", "state", "prev_state"));
        assertColumns("user_journeys", journeys);
    }

    @Test
    void funnelTablesKeepAFunnelMonthPerPartition() {
        long day = Instant.parse("2026-11-30T00:00:00Z").toEpochMilli();
        assertThat(TallyTables.FUNNEL_STEPS_BY_DAY.keyMapper().toColumns(List.of("checkout", day, 3)))
                .containsExactly("checkout", "2026-11", LocalDate.parse("2026-11-30"), 3);
        assertThat(TallyTables.FUNNEL_STEP_TIMES_BY_DAY.keyMapper().toColumns(List.of("checkout", day, 3, -1)))
                .containsExactly("checkout", "2026-11", LocalDate.parse("2026-11-30"), 3, StepTimeBuckets.ZERO_BUCKET);
        List<String> times = new java.util.ArrayList<>(TallyTables.FUNNEL_STEP_TIMES_BY_DAY.keyColumns());
        times.addAll(List.of("users", "txid", "prev_users"));
        assertColumns("funnel_step_times_by_day", times);
        assertThat(TallyTables.USER_JOURNEYS.keyMapper().toColumns(List.of("checkout", "user-7")))
                .containsExactly("checkout", 21, "user-7");
    }

    private static void assertColumns(String table, List<String> columns) {
        String statement = SchemaApplier.bundled().statements().stream()
                .filter(s -> s.contains("EXISTS " + table + " (")).findFirst().orElseThrow();
        for (String column : columns) {
            assertThat(statement).as(table).containsPattern("\\n\\s+" + column + "\\s");
        }
    }

    @Test
    void settingsNeverShowThePassword() {
        CassandraSettings settings = CassandraSettings.builder().credentials("tally", "s3cret-pw").build();
        assertThat(settings.toString()).doesNotContain("s3cret-pw").contains("password=****");
        assertThat(settings.sessionKey()).doesNotContain("s3cret-pw");
    }
}

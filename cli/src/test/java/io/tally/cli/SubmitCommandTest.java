package io.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.spouts.kafka.KafkaSpoutSettings;
import io.tally.topology.config.TallyConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The topology name is the identity of its progress: the names that would count data again are refused. */
class SubmitCommandTest {
    @TempDir
    Path dir;

    private record Run(int exitCode, String err) {
    }

    private Run submit(String... args) throws IOException {
        Path config = dir.resolve("tally.yaml");
        Files.writeString(config, """
                topology:
                  name: analytics
                kafka:
                  bootstrap_servers: 127.0.0.1:1
                  topics: [events]
                cassandra:
                  keyspace: prod
                segments:
                  - name: buyers
                    rule: {event: Order Completed}
                """);
        String[] full = new String[args.length + 3];
        full[0] = "submit";
        full[1] = "--config";
        full[2] = config.toString();
        System.arraycopy(args, 0, full, 3, args.length);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = TallyCommand.commandLine().execute(full);
            return new Run(code, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(originalErr);
        }
    }

    @Test
    void aSegmentsOnlyBackfillUnderTheProductionNameIsRefused() throws IOException {
        Run withoutName = submit("--segments-only", "--dry-run");
        assertThat(withoutName.exitCode()).isEqualTo(TallyCommand.EXIT_BAD_CONFIG);
        assertThat(withoutName.err()).contains("--segments-only would run under the name 'analytics', the full"
                + " topology's (topology.name)", "ZooKeeper root /tally/analytics", "--name", "--force-name");
        assertThat(submit("--segments-only", "--name", "analytics", "--dry-run").exitCode())
                .isEqualTo(TallyCommand.EXIT_BAD_CONFIG);
    }

    @Test
    void aJourneysOnlyBackfillUnderTheProductionNameIsRefused() throws IOException {
        Run withoutName = submit("--journeys-only", "--dry-run");
        assertThat(withoutName.exitCode()).isEqualTo(TallyCommand.EXIT_BAD_CONFIG);
        assertThat(withoutName.err()).contains("--journeys-only would run under the name 'analytics', the full"
                + " topology's (topology.name)");
        assertThat(submit("--journeys-only", "--segments-only", "--name", "backfill", "--dry-run").err())
                .contains("two backfills");
    }

    @Test
    void theFullTopologyUnderANameOtherThanItsOwnIsRefused() throws IOException {
        Run renamed = submit("--name", "analytics-2", "--dry-run");
        assertThat(renamed.exitCode()).isEqualTo(TallyCommand.EXIT_BAD_CONFIG);
        assertThat(renamed.err()).contains("'analytics-2' is not the configured topology.name 'analytics'",
                "ZooKeeper root /tally/analytics-2", "keyspace prod", "--force-name");
    }

    private static TallyConfig analytics() {
        return TallyConfig.builder().name("analytics")
                .kafka(KafkaSpoutSettings.builder("127.0.0.1:1", List.of("events")).build()).build();
    }

    @Test
    void theAcceptedNamesPassTheCheck() {
        TallyConfig analytics = analytics();
        assertThat(SubmitCommand.nameProblem(analytics, null, false)).isNull();
        assertThat(SubmitCommand.nameProblem(analytics, "analytics", false)).isNull();
        assertThat(SubmitCommand.nameProblem(analytics, "analytics-buyers", true)).isNull();
    }

    @Test
    void aBackfillUnderTheLiveTopologysDefaultNameIsRefused() {
        var span = new io.tally.bolts.ingest.BackfillSpan(java.time.Instant.parse("2026-01-01T00:00:00Z"),
                java.time.Instant.parse("2026-01-08T00:00:00Z"));
        TallyConfig backfill = TallyConfig.builder().backfill(span)
                .kafka(KafkaSpoutSettings.builder("127.0.0.1:1", List.of("exports")).build()).build();
        assertThat(SubmitCommand.nameProblem(backfill, null, false)).startsWith("This configuration is a backfill"
                + " (backfill: 2026-01-01T00:00:00Z to 2026-01-08T00:00:00Z) but runs under the name 'tally', the"
                + " default name of the live topology").contains("tally-backfill-2026-01", "--force-name");
        TallyConfig named = backfill.toBuilder().name("tally-backfill-2026-01").build();
        assertThat(SubmitCommand.nameProblem(named, null, false)).isNull();
    }

    @Test
    void forcingTheNameSkipsTheCheck() {
        TallyConfig analytics = analytics();
        SubmitCommand forced = new SubmitCommand();
        new CommandLine(forced).parseArgs("--config", "x.yaml", "--segments-only", "--force-name");
        assertThat(forced.refusedName(analytics)).isNull();
        SubmitCommand unforced = new SubmitCommand();
        new CommandLine(unforced).parseArgs("--config", "x.yaml", "--segments-only");
        assertThat(unforced.refusedName(analytics)).startsWith("--segments-only would run under the name 'analytics'");
    }
}

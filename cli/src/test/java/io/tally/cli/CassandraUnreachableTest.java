package io.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every command that connects to Cassandra answers a Cassandra that does not answer alike: one line on the command's
 * error stream saying where it looked, exit code 3, nothing on its output.
 */
class CassandraUnreachableTest {
    @TempDir
    static Path dir;
    private static int closedPort;
    private static Path config;

    @BeforeAll
    static void configPointingAtAClosedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        config = Files.writeString(dir.resolve("tally.yaml"), """
                kafka: {bootstrap_servers: "127.0.0.1:%d", topics: [events]}
                cassandra: {contact_points: ["127.0.0.1:%d"], request_timeout_ms: 2000}
                """.formatted(closedPort, closedPort));
    }

    @Test
    void schemaCheck() {
        assertUnreachable("schema", "check", "--config", config.toString());
    }

    @Test
    void status() {
        assertUnreachable("status", "--config", config.toString(), "--zookeeper", "127.0.0.1:" + closedPort);
    }

    @Test
    void query() {
        assertUnreachable("query", "users", "--from", "2026-11-20", "--to", "2026-11-21", "--config",
                config.toString());
    }

    private static void assertUnreachable(String... args) {
        CommandLine tally = TallyCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        tally.setOut(new PrintWriter(out, true));
        tally.setErr(new PrintWriter(err, true));
        assertThat(tally.execute(args)).as("exit code; err: %s", err).isEqualTo(TallyCommand.EXIT_UNAVAILABLE);
        assertThat(err.toString()).startsWith("Cannot reach Cassandra at [127.0.0.1:" + closedPort
                + "] (datacenter datacenter1): ").hasLineCount(1);
        assertThat(out.toString()).isEmpty();
    }
}

package io.tally.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The jar operators pass to {@code storm jar} carries the {@code tally} command and the topology, and not the
 * dashboard's HTTP server and pages, which no worker runs; the -all jar carries the dashboard for {@code tally
 * dashboard}.
 */
class StormJarTest {

    @Test
    void theStormJarHoldsTheCommandAndTheTopologyButNotTheDashboard() throws IOException {
        Path jar = Path.of(System.getProperty("tally.storm.jar", "../cli/target/tally-cli-storm.jar"));
        assumeTrue(Files.exists(jar), "the storm jar " + jar + " is built by the package phase (`mvn verify`)");
        try (JarFile entries = new JarFile(jar.toFile())) {
            assertThat(entries.getManifest().getMainAttributes().getValue("Main-Class"))
                    .isEqualTo("io.tally.cli.TallyCommand");
            assertThat(entries.getEntry("io/tally/cli/SubmitCommand.class")).as("tally submit").isNotNull();
            assertThat(entries.getEntry("io/tally/topology/TallyTopology.class")).as("the topology").isNotNull();
            assertThat(entries.getEntry("io/tally/dashboard/DashboardServer.class")).as("the dashboard").isNull();
            assertThat(entries.getEntry("io/tally/http/HttpServer.class")).as("its HTTP server").isNull();
            assertThat(entries.stream().filter(e -> e.getName().startsWith("io/tally/dashboard/static/")).count())
                    .as("the dashboard's pages").isZero();
        }
    }

    @Test
    void theAllJarAddsTheDashboard() throws IOException {
        Path jar = Path.of(System.getProperty("tally.all.jar", "../cli/target/tally-cli-all.jar"));
        assumeTrue(Files.exists(jar), "the -all jar " + jar + " is built by the package phase (`mvn verify`)");
        try (JarFile entries = new JarFile(jar.toFile())) {
            assertThat(entries.getEntry("io/tally/cli/SubmitCommand.class")).isNotNull();
            assertThat(entries.getEntry("io/tally/dashboard/DashboardServer.class")).isNotNull();
            assertThat(entries.getEntry("io/tally/dashboard/static/overview.html")).isNotNull();
        }
    }
}

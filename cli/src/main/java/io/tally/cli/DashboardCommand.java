package io.tally.cli;

import io.tally.query.dashboard.DashboardSettings;
import io.tally.topology.config.TallyConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code tally dashboard}: serves the dashboard's pages and JSON API until stopped (see docs/dashboard.md). */
@Command(name = "dashboard", mixinStandardHelpOptions = true,
        description = {"Serves the dashboard (overview, event explorer, segments) on dashboard.bind:dashboard.port of"
                + " the configuration (default 127.0.0.1:8089) until Ctrl-C.",
                "It reads the configuration's Cassandra; the status panel also reads Kafka and Trident's ZooKeeper."})
final class DashboardCommand implements Callable<Integer> {

    @Mixin
    ConfigOption config;

    @Option(names = "--port", paramLabel = "PORT", description = "Overrides dashboard.port.")
    Integer port;

    /** For the status panel, as for {@code tally status}. */
    @Mixin
    ZooKeeperOption zookeeper;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        TallyConfig tally = config.load();
        DashboardSettings settings = port == null ? tally.dashboard() : tally.dashboard().withPort(port);
        // The storm jar leaves the dashboard out (no worker serves it): say which jar has it, not a stack trace.
        if (DashboardCommand.class.getClassLoader().getResource("io/tally/dashboard/DashboardServer.class") == null) {
            spec.commandLine().getErr().println("The dashboard is not in this jar (the storm jar leaves it out): run"
                    + " `tally dashboard` from tally-cli-<version>-all.jar (see docs/deploying.md).");
            return TallyCommand.EXIT_UNAVAILABLE;
        }
        DashboardService.serve(tally, settings, zookeeper);
        return 0;
    }
}

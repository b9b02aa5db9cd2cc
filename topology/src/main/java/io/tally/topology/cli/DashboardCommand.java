package io.tally.topology.cli;

import io.tally.dashboard.DashboardServer;
import io.tally.dashboard.DashboardSettings;
import io.tally.dashboard.LazySession;
import io.tally.dashboard.StatusSource;
import io.tally.state.cassandra.internal.SessionRegistry;
import io.tally.topology.config.TallyConfig;
import io.tally.topology.status.StatusReader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

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

    @Override
    public Integer call() throws InterruptedException {
        TallyConfig tally = config.load();
        DashboardSettings settings = port == null ? tally.dashboard() : tally.dashboard().withPort(port);
        CountDownLatch stopped = new CountDownLatch(1);
        try (LazySession session = new LazySession(() -> SessionRegistry.builder(tally.cassandra()).build());
                StatusFromReader status = new StatusFromReader(tally, session);
                DashboardServer server = DashboardServer.start(settings, session, tally.cassandra().keyspace(),
                        status)) {
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "tally-dashboard-stop"));
            System.out.println("Tally's dashboard at " + server.url() + (settings.basicAuth()
                    ? " (basic auth)" : "") + "; Ctrl-C stops it");
            stopped.await();
        }
        return 0;
    }

    /** The status reader, opened on first use (it needs Cassandra's session, which may not be up yet). */
    private final class StatusFromReader implements StatusSource, AutoCloseable {
        private final TallyConfig tally;
        private final LazySession session;
        private StatusReader reader;

        StatusFromReader(TallyConfig tally, LazySession session) {
            this.tally = tally;
            this.session = session;
        }

        @Override
        public synchronized Object read() {
            if (reader == null) {
                try {
                    reader = new StatusReader(tally, zookeeper.stormConf(), session.get());
                } catch (NoClassDefFoundError e) {
                    throw new IllegalStateException("Storm's classes are not on this classpath (run with `storm jar`"
                            + " for the status panel)");
                }
            }
            return reader.read();
        }

        @Override
        public synchronized void close() {
            if (reader != null) {
                reader.close();
            }
        }
    }
}

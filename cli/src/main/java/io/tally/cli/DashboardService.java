package io.tally.cli;

import io.tally.dashboard.DashboardServer;
import io.tally.dashboard.LazySession;
import io.tally.dashboard.StatusSource;
import io.tally.query.dashboard.DashboardSettings;
import io.tally.state.cassandra.SessionRegistry;
import io.tally.topology.config.TallyConfig;
import io.tally.topology.status.StatusReader;
import java.util.concurrent.CountDownLatch;

/**
 * The dashboard served until Ctrl-C: apart from {@link DashboardCommand} so that the command's class loads where the
 * dashboard's classes are absent (the storm jar) and can say so.
 */
final class DashboardService {
    private DashboardService() {
    }

    static void serve(TallyConfig tally, DashboardSettings settings, ZooKeeperOption zookeeper)
            throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        try (LazySession session = new LazySession(() -> SessionRegistry.builder(tally.cassandra()).build());
                StatusFromReader status = new StatusFromReader(tally, zookeeper, session);
                DashboardServer server = DashboardServer.start(settings, session, tally.cassandra().keyspace(),
                        status)) {
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "tally-dashboard-stop"));
            System.out.println("Tally's dashboard at " + server.url() + (settings.basicAuth()
                    ? " (basic auth)" : "") + "; Ctrl-C stops it");
            stopped.await();
        }
    }

    /** The status reader, opened on first use (it needs Cassandra's session, which may not be up yet). */
    private static final class StatusFromReader implements StatusSource, AutoCloseable {
        private final TallyConfig tally;
        private final ZooKeeperOption zookeeper;
        private final LazySession session;
        private StatusReader reader;

        StatusFromReader(TallyConfig tally, ZooKeeperOption zookeeper, LazySession session) {
            this.tally = tally;
            this.zookeeper = zookeeper;
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

package io.tally.dashboard;

import com.datastax.oss.driver.api.core.CqlSession;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.timeout.IdleStateHandler;
import io.tally.http.HttpServer;
import io.tally.http.HttpServer.ConnectionHandlers;
import io.tally.query.dashboard.DashboardSettings;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The dashboard's HTTP server ({@link HttpServer}, as the collector's): the event loops move bytes, and the queries
 * (which wait on Cassandra) run on a small pool of their own. Requests are GETs without bodies, so the aggregator is tiny.
 */
public final class DashboardServer implements AutoCloseable {
    private static final int QUERY_THREADS = 4;
    private static final int MAX_REQUEST_BYTES = 16 * 1024;
    private static final int IDLE_SECONDS = 120;

    private final HttpServer server;

    private DashboardServer(HttpServer server) {
        this.server = server;
    }

    /**
     * Starts serving on {@code settings.bind()}:{@code settings.port()} (port 0: any free port).
     *
     * @param session asked for on the first request that needs Cassandra, and again after it failed
     */
    public static DashboardServer start(DashboardSettings settings, Supplier<CqlSession> session, String keyspace,
            StatusSource status) {
        DashboardApi api = new DashboardApi(session, keyspace, settings, status, Clock.systemUTC());
        ExecutorService queries = Executors.newFixedThreadPool(QUERY_THREADS, runnable -> {
            Thread thread = new Thread(runnable, "tally-dashboard-query");
            thread.setDaemon(true);
            return thread;
        });
        StaticFiles files = new StaticFiles();
        return new DashboardServer(HttpServer.builder(() -> new ConnectionHandlers(
                        List.of(new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS)),
                        List.of(new HttpObjectAggregator(MAX_REQUEST_BYTES),
                                new DashboardHandler(api, files, settings, queries))))
                .closing(queries::shutdownNow)
                .start(settings.bind(), settings.port()));
    }

    public InetSocketAddress address() {
        return server.address();
    }

    /** The address to open in a browser. */
    public String url() {
        return "http://" + address().getHostString() + ":" + address().getPort() + "/";
    }

    @Override
    public void close() {
        server.close();
    }
}

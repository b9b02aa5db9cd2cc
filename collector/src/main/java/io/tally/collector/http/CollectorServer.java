package io.tally.collector.http;

import io.netty.channel.ChannelOption;
import io.netty.handler.timeout.IdleStateHandler;
import io.tally.collector.Collector;
import io.tally.collector.CollectorMetrics;
import io.tally.collector.CollectorSettings;
import io.tally.collector.EventSink;
import io.tally.collector.KafkaSink;
import io.tally.http.HttpServer;
import io.tally.http.HttpServer.ConnectionHandlers;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The collector's HTTP server on Netty: a limit on open connections, the codec, keep-alive, a deadline for each
 * request to arrive whole (so slow senders cannot hold a connection's buffer forever), an aggregator capped at the
 * batch limit, and the {@link TrackingApiHandler}. Netty's event loops only move bytes; the {@link Collector}'s workers do the rest.
 */
public final class CollectorServer implements AutoCloseable {
    private final Collector collector;
    private final HttpServer server;

    private CollectorServer(Collector collector, HttpServer server) {
        this.collector = collector;
        this.server = server;
    }

    /** Starts a collector writing to Kafka. */
    public static CollectorServer start(CollectorSettings settings) {
        return start(settings, new KafkaSink(settings));
    }

    /** Starts a collector writing to the given sink; it is closed with the server. */
    public static CollectorServer start(CollectorSettings settings, EventSink sink) {
        Collector collector = new Collector(settings, sink, new CollectorMetrics(), Clock.systemUTC());
        ConnectionLimit connections = new ConnectionLimit(collector, settings.maxConnections(),
                settings.retryAfterSeconds());
        HttpServer server = HttpServer.builder(() -> {
                    RequestDeadline deadline = new RequestDeadline(collector, settings.requestTimeoutMillis());
                    return new ConnectionHandlers(
                            List.of(connections,
                                    new IdleStateHandler(settings.idleTimeoutMillis(), 0, 0, TimeUnit.MILLISECONDS),
                                    deadline),
                            List.of(new CappedAggregator(collector, settings.maxBatchBytes(),
                                            settings.requestTimeoutMillis()),
                                    new TrackingApiHandler(collector, deadline)));
                })
                .ioThreads(Math.max(1, Runtime.getRuntime().availableProcessors() / 2))
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // Closing the collector lets the requests in hand finish, bounded by the Kafka timeout.
                .closing(collector::close)
                .start(settings.bind(), settings.port());
        return new CollectorServer(collector, server);
    }

    public int port() {
        return server.address().getPort();
    }

    public InetSocketAddress address() {
        return server.address();
    }

    public CollectorMetrics metrics() {
        return collector.metrics();
    }

    /** Stops accepting connections, lets the requests in hand finish (bounded by the Kafka timeout), then stops. */
    @Override
    public void close() {
        server.close();
    }
}

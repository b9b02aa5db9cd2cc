package io.tally.collector.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.tally.collector.Collector;
import io.tally.collector.CollectorMetrics;
import io.tally.collector.CollectorSettings;
import io.tally.collector.EventSink;
import io.tally.collector.KafkaSink;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

/**
 * The collector's HTTP server on Netty: a limit on open connections, the codec, keep-alive, a deadline for each
 * request to arrive whole (so slow senders cannot hold a connection's buffer forever), an aggregator capped at the
 * batch limit, and the {@link TrackingApiHandler}. Netty's event loops only move bytes; the {@link Collector}'s workers do the rest.
 */
public final class CollectorServer implements AutoCloseable {
    private final Collector collector;
    private final EventLoopGroup boss;
    private final EventLoopGroup io;
    private final Channel channel;

    private CollectorServer(Collector collector, EventLoopGroup boss, EventLoopGroup io, Channel channel) {
        this.collector = collector;
        this.boss = boss;
        this.io = io;
        this.channel = channel;
    }

    /** Starts a collector writing to Kafka. */
    public static CollectorServer start(CollectorSettings settings) {
        return start(settings, new KafkaSink(settings));
    }

    /** Starts a collector writing to the given sink; it is closed with the server. */
    public static CollectorServer start(CollectorSettings settings, EventSink sink) {
        Collector collector = new Collector(settings, sink, new CollectorMetrics(), Clock.systemUTC());
        EventLoopGroup boss = new NioEventLoopGroup(1);
        EventLoopGroup io = new NioEventLoopGroup(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
        ConnectionLimit connections = new ConnectionLimit(collector, settings.maxConnections(),
                settings.retryAfterSeconds());
        try {
            Channel channel = new ServerBootstrap()
                    .group(boss, io)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    // A collector started again at once (after a crash) binds its port despite old connections.
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ChannelPipeline p = ch.pipeline();
                            RequestDeadline deadline = new RequestDeadline(collector, settings.requestTimeoutMillis());
                            p.addLast(connections);
                            p.addLast(new IdleStateHandler(settings.idleTimeoutMillis(), 0, 0, TimeUnit.MILLISECONDS));
                            p.addLast(deadline);
                            p.addLast(new HttpServerCodec());
                            p.addLast(new HttpServerKeepAliveHandler());
                            p.addLast(new CappedAggregator(collector, settings.maxBatchBytes(),
                                    settings.requestTimeoutMillis()));
                            p.addLast(new TrackingApiHandler(collector, deadline));
                        }
                    })
                    .bind(settings.bind(), settings.port())
                    .syncUninterruptibly()
                    .channel();
            return new CollectorServer(collector, boss, io, channel);
        } catch (RuntimeException e) {
            boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            io.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            collector.close();
            throw e;
        }
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    public CollectorMetrics metrics() {
        return collector.metrics();
    }

    /** Stops accepting connections, lets the requests in hand finish (bounded by the Kafka timeout), then stops. */
    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        collector.close();
        io.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        boss.terminationFuture().syncUninterruptibly();
    }
}

package io.tally.dashboard;

import com.datastax.oss.driver.api.core.CqlSession;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The dashboard's HTTP server on Netty, as the collector's: the event loops move bytes, and the queries (which wait
 * on Cassandra) run on a small pool of their own. Requests are GETs without bodies, so the aggregator is tiny.
 */
public final class DashboardServer implements AutoCloseable {
    private static final int QUERY_THREADS = 4;
    private static final int MAX_REQUEST_BYTES = 16 * 1024;
    private static final int IDLE_SECONDS = 120;

    private final EventLoopGroup boss;
    private final EventLoopGroup io;
    private final ExecutorService queries;
    private final Channel channel;

    private DashboardServer(EventLoopGroup boss, EventLoopGroup io, ExecutorService queries, Channel channel) {
        this.boss = boss;
        this.io = io;
        this.queries = queries;
        this.channel = channel;
    }

    /**
     * Starts serving on {@code settings.bind()}:{@code settings.port()} (port 0: any free port).
     *
     * @param session asked for on the first request that needs Cassandra, and again after it failed
     */
    public static DashboardServer start(DashboardSettings settings, Supplier<CqlSession> session, String keyspace,
            StatusSource status) {
        DashboardApi api = new DashboardApi(session, keyspace, settings, status, Clock.systemUTC());
        EventLoopGroup boss = new NioEventLoopGroup(1);
        EventLoopGroup io = new NioEventLoopGroup(1);
        ExecutorService queries = Executors.newFixedThreadPool(QUERY_THREADS, runnable -> {
            Thread thread = new Thread(runnable, "tally-dashboard-query");
            thread.setDaemon(true);
            return thread;
        });
        StaticFiles files = new StaticFiles();
        try {
            Channel channel = new ServerBootstrap()
                    .group(boss, io)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline()
                                    .addLast(new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS))
                                    .addLast(new HttpServerCodec())
                                    .addLast(new HttpServerKeepAliveHandler())
                                    .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                                    .addLast(new DashboardHandler(api, files, settings, queries));
                        }
                    })
                    .bind(settings.bind(), settings.port())
                    .syncUninterruptibly()
                    .channel();
            return new DashboardServer(boss, io, queries, channel);
        } catch (RuntimeException e) {
            boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            io.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            queries.shutdownNow();
            throw e;
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** The address to open in a browser. */
    public String url() {
        return "http://" + address().getHostString() + ":" + address().getPort() + "/";
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        queries.shutdownNow();
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        io.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        boss.terminationFuture().syncUninterruptibly();
    }
}

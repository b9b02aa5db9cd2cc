package io.tally.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * An HTTP/1.1 server on Netty, as the collector and the dashboard run it: one acceptor thread, a few event loops
 * that only move bytes, each connection's pipeline built around Netty's codec and keep-alive handler, bound to
 * 127.0.0.1 unless told otherwise, and closed in an order that lets requests in hand finish.
 */
public final class HttpServer implements AutoCloseable {
    private final EventLoopGroup boss;
    private final EventLoopGroup io;
    private final Channel channel;
    private final Runnable resources;

    private HttpServer(EventLoopGroup boss, EventLoopGroup io, Channel channel, Runnable resources) {
        this.boss = boss;
        this.io = io;
        this.channel = channel;
        this.resources = resources;
    }

    /**
     * A server whose connections each get the handlers {@code connection} makes (called once per connection, so
     * handlers that keep per-connection state are not shared).
     */
    public static Builder builder(Supplier<ConnectionHandlers> connection) {
        return new Builder(connection);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /**
     * Stops accepting connections, then closes the owner's resources (which may wait for the requests in hand), then
     * stops the event loops.
     */
    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        resources.run();
        io.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        boss.terminationFuture().syncUninterruptibly();
    }

    /**
     * One connection's handlers: those that see its bytes, before the HTTP codec (limits, deadlines, idle timers),
     * and those that see its HTTP messages, after the codec and keep-alive (an aggregator and the request handler).
     */
    public record ConnectionHandlers(List<ChannelHandler> beforeCodec, List<ChannelHandler> afterCodec) {
        public ConnectionHandlers {
            beforeCodec = List.copyOf(beforeCodec);
            afterCodec = List.copyOf(afterCodec);
        }
    }

    public static final class Builder {
        private final Supplier<ConnectionHandlers> connection;
        private int ioThreads = 1;
        private final List<Consumer<ServerBootstrap>> options = new ArrayList<>();
        private Runnable resources = () -> { };

        private Builder(Supplier<ConnectionHandlers> connection) {
            this.connection = connection;
        }

        /** Event loop threads moving the connections' bytes (default 1). */
        public Builder ioThreads(int threads) {
            this.ioThreads = threads;
            return this;
        }

        /** An option of the listening socket. */
        public <T> Builder option(ChannelOption<T> option, T value) {
            options.add(bootstrap -> bootstrap.option(option, value));
            return this;
        }

        /** An option of every accepted connection's socket. */
        public <T> Builder childOption(ChannelOption<T> option, T value) {
            options.add(bootstrap -> bootstrap.childOption(option, value));
            return this;
        }

        /**
         * What the owner closes with the server (a worker pool, a sink): after the server stops accepting, before its
         * event loops stop; and at once if the server cannot start.
         */
        public Builder closing(Runnable resources) {
            this.resources = resources;
            return this;
        }

        /**
         * Binds {@code bind}:{@code port} (port 0: any free port) and serves until closed.
         *
         * @param bind the address to listen on; null: 127.0.0.1
         */
        public HttpServer start(String bind, int port) {
            EventLoopGroup boss = new NioEventLoopGroup(1);
            EventLoopGroup io = new NioEventLoopGroup(ioThreads);
            try {
                ServerBootstrap bootstrap = new ServerBootstrap()
                        .group(boss, io)
                        .channel(NioServerSocketChannel.class)
                        // Started again at once (after a crash), the server binds its port despite old connections.
                        .option(ChannelOption.SO_REUSEADDR, true)
                        .childHandler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                ConnectionHandlers handlers = connection.get();
                                ChannelPipeline pipeline = ch.pipeline();
                                handlers.beforeCodec().forEach(pipeline::addLast);
                                pipeline.addLast(new HttpServerCodec());
                                pipeline.addLast(new HttpServerKeepAliveHandler());
                                handlers.afterCodec().forEach(pipeline::addLast);
                            }
                        });
                options.forEach(option -> option.accept(bootstrap));
                Channel channel = bootstrap.bind(bind == null ? "127.0.0.1" : bind, port)
                        .syncUninterruptibly()
                        .channel();
                return new HttpServer(boss, io, channel, resources);
            } catch (Exception e) {
                // Not only RuntimeException: Netty rethrows a failed bind's BindException, checked, undeclared.
                boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
                io.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
                resources.run();
                throw e;
            }
        }
    }
}

package io.tally.collector.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.tally.collector.Collector;
import io.tally.collector.Refusal;
import io.tally.collector.RequestRefused;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts open connections and refuses one past the limit: it is answered 503 {@code too_many_connections} with
 * {@code Retry-After} as soon as it opens, before anything of it is read, and closed (after a short linger, see
 * {@link Replies#closing}). Every connection counts until its socket is closed, the refused ones too, so the
 * collector's sockets are bounded by the limit plus those refused within the last linger. First in every pipeline,
 * one instance for all.
 */
@ChannelHandler.Sharable
final class ConnectionLimit extends ChannelInboundHandlerAdapter {
    /** How long a refused connection may keep sending before it is closed. */
    private static final long REFUSED_LINGER_MILLIS = 1_000;

    private final Collector collector;
    private final int maxConnections;
    private final int retryAfterSeconds;
    private final AtomicInteger open = new AtomicInteger();

    ConnectionLimit(Collector collector, int maxConnections, int retryAfterSeconds) {
        this.collector = collector;
        this.maxConnections = maxConnections;
        this.retryAfterSeconds = retryAfterSeconds;
        collector.metrics().openConnections(open::get);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (open.incrementAndGet() > maxConnections) {
            Replies.closing(ctx, collector.refused(null, new RequestRefused(Refusal.TOO_MANY_CONNECTIONS,
                    "the collector has " + maxConnections + " connections open, its limit; retry later",
                    retryAfterSeconds)), REFUSED_LINGER_MILLIS);
            return; // the rest of the pipeline never sees this connection open: no timers, nothing decoded
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        open.decrementAndGet();
        super.channelInactive(ctx);
    }

    int open() {
        return open.get();
    }
}

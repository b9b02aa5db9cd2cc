package io.tally.collector.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.tally.collector.Collector;
import io.tally.collector.Refusal;
import io.tally.collector.RequestRefused;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Each request must arrive whole, headers and body, within the request timeout of its first byte, however slowly its
 * bytes trickle in (a read timeout alone is reset by every byte); otherwise 408 and the connection is closed. Sits
 * before the HTTP codec, so it sees bytes as they come; {@link TrackingApiHandler} says when a request is whole. A
 * connection idle for the idle timeout between requests is closed.
 */
final class RequestDeadline extends ChannelDuplexHandler {
    private final Collector collector;
    private final long timeoutMillis;
    private ScheduledFuture<?> deadline;

    RequestDeadline(Collector collector, long timeoutMillis) {
        this.collector = collector;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof ByteBuf && deadline == null) {
            deadline = ctx.executor().schedule(() -> expire(ctx), timeoutMillis, TimeUnit.MILLISECONDS);
        }
        super.channelRead(ctx, msg);
    }

    private void expire(ChannelHandlerContext ctx) {
        deadline = null;
        if (ctx.channel().isActive() && !Replies.isClosing(ctx.channel())) {
            Replies.closing(ctx, collector.refused(null, new RequestRefused(Refusal.REQUEST_TIMEOUT,
                    "the request did not arrive whole within " + timeoutMillis + " ms")), timeoutMillis);
        }
    }

    /** How long a connection being closed may still send: the request timeout. */
    long lingerMillis() {
        return timeoutMillis;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancel();
        super.channelInactive(ctx);
    }

    /** The request being read is whole; called on the connection's event loop. */
    void requestComplete() {
        cancel();
    }

    private void cancel() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }
}

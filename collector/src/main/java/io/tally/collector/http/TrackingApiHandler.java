package io.tally.collector.http;

import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.tally.collector.Collector;
import io.tally.collector.Endpoint;
import io.tally.collector.Refusal;
import io.tally.collector.RequestRefused;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;

/**
 * Routes whole requests: {@code POST /v1/*} to the {@link Collector}, {@code GET /health} and {@code GET /metrics}.
 * A connection reads no more from its socket while a request is being answered, and requests it had already
 * decoded (pipelined) wait their turn here, so answers go out in order and a connection holds little more than one
 * request's body. Each connection has its own handler; all of it runs on the connection's event loop.
 */
final class TrackingApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private final Collector collector;
    private final RequestDeadline deadline;
    private final Deque<FullHttpRequest> waiting = new ArrayDeque<>();
    private boolean answering;

    TrackingApiHandler(Collector collector, RequestDeadline deadline) {
        this.collector = collector;
        this.deadline = deadline;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        deadline.requestComplete();
        if (Replies.isClosing(ctx.channel())) {
            return; // decoded before the connection's last answer; not answered
        }
        if (answering) {
            waiting.add(request.retain());
            return;
        }
        route(ctx, request);
    }

    private void route(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).path();
        if (!request.decoderResult().isSuccess()) {
            Replies.closing(ctx, collector.refused(path, new RequestRefused(Refusal.BAD_REQUEST,
                    "the HTTP request could not be read: " + request.decoderResult().cause())),
                    deadline.lingerMillis());
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (request.method() == HttpMethod.GET && path.equals("/health")) {
            answer(ctx, CompletableFuture.completedFuture(collector.health()), keepAlive, false);
            return;
        }
        if (request.method() == HttpMethod.GET && path.equals("/metrics")) {
            answer(ctx, CompletableFuture.completedFuture(new Collector.Reply(200, collector.metrics().scrape(), 0)),
                    keepAlive, true);
            return;
        }
        Endpoint endpoint = Endpoint.ofPath(path);
        if (endpoint == null) {
            answer(ctx, CompletableFuture.completedFuture(collector.refused(path, new RequestRefused(
                    Refusal.NOT_FOUND, "no such path; the Tracking API is POST /v1/track, /v1/identify, /v1/page, "
                            + "/v1/screen, /v1/group, /v1/alias, /v1/batch and /v1/import"))), keepAlive, false);
            return;
        }
        if (request.method() != HttpMethod.POST) {
            answer(ctx, CompletableFuture.completedFuture(collector.refused(path, new RequestRefused(
                    Refusal.METHOD_NOT_ALLOWED, path + " takes POST"))), keepAlive, false);
            return;
        }
        byte[] body = ByteBufUtil.getBytes(request.content());
        answer(ctx, collector.handle(endpoint, request.headers().get(HttpHeaderNames.AUTHORIZATION),
                request.headers().get(HttpHeaderNames.CONTENT_ENCODING), body), keepAlive, false);
    }

    private void answer(ChannelHandlerContext ctx, CompletableFuture<Collector.Reply> reply, boolean keepAlive,
            boolean text) {
        answering = true;
        ctx.channel().config().setAutoRead(false);
        reply.thenAccept(r -> {
            FullHttpResponse response = text ? Replies.response(r, PROMETHEUS_TEXT) : Replies.json(r);
            HttpUtil.setKeepAlive(response, keepAlive);
            ctx.writeAndFlush(response).addListener(written -> next(ctx));
        });
    }

    /** After an answer is written (on the event loop): the next waiting request, else read from the socket again. */
    private void next(ChannelHandlerContext ctx) {
        answering = false;
        FullHttpRequest request = waiting.poll();
        if (request != null) {
            try {
                route(ctx, request);
            } finally {
                request.release();
            }
            return;
        }
        ctx.channel().config().setAutoRead(true);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        waiting.forEach(FullHttpRequest::release);
        waiting.clear();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a reset connection or a codec failure: nothing to answer
    }
}

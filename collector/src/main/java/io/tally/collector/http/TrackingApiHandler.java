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
import java.util.concurrent.CompletableFuture;

/**
 * Routes whole requests: {@code POST /v1/*} to the {@link Collector}, {@code GET /health} and {@code GET /metrics}.
 * A connection reads its next request only once the current one is answered, so pipelined requests are answered in
 * order and one connection holds at most one request's body.
 */
final class TrackingApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private final Collector collector;

    TrackingApiHandler(Collector collector) {
        this.collector = collector;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).path();
        if (!request.decoderResult().isSuccess()) {
            Replies.closing(ctx, collector.refused(path, new RequestRefused(Refusal.MALFORMED_JSON,
                    "the HTTP request could not be read: " + request.decoderResult().cause())));
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
        ctx.channel().config().setAutoRead(false);
        reply.thenAccept(r -> {
            FullHttpResponse response = text ? Replies.response(r, PROMETHEUS_TEXT) : Replies.json(r);
            HttpUtil.setKeepAlive(response, keepAlive);
            ctx.writeAndFlush(response).addListener(written -> {
                ctx.channel().config().setAutoRead(true);
                ctx.read();
            });
        });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a reset connection or a codec failure: nothing to answer
    }
}

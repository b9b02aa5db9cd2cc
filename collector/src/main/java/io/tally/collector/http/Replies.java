package io.tally.collector.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.tally.collector.Collector;
import java.nio.charset.StandardCharsets;

/** Writes the collector's answers as HTTP responses. */
final class Replies {
    private Replies() {
    }

    static FullHttpResponse response(Collector.Reply reply, CharSequence contentType) {
        byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(reply.status()), Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (reply.retryAfterSeconds() > 0) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, Long.toString(reply.retryAfterSeconds()));
        }
        return response;
    }

    static FullHttpResponse json(Collector.Reply reply) {
        return response(reply, HttpHeaderValues.APPLICATION_JSON);
    }

    /**
     * Answers and closes the connection: what was left of the request cannot be read past. Written from the
     * pipeline's tail, through the HTTP encoder, whichever handler answers.
     */
    static void closing(ChannelHandlerContext ctx, Collector.Reply reply) {
        FullHttpResponse response = json(reply);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.channel().writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}

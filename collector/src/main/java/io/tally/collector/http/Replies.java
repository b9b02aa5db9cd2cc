package io.tally.collector.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.tally.collector.Collector;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Writes the collector's answers as HTTP responses. */
final class Replies {
    private static final AttributeKey<Boolean> CLOSING = AttributeKey.valueOf("tally-collector-closing");

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

    /** Whether the connection has had its last answer ({@link #closing}) and is only waiting to be closed. */
    static boolean isClosing(Channel channel) {
        return channel.hasAttr(CLOSING);
    }

    /**
     * Answers and closes the connection: what was left of the request cannot be read past. Written from the
     * pipeline's tail, through the HTTP encoder, whichever handler answers; the first such answer of a connection is
     * its last.
     *
     * <p>The close lingers. The client may still be sending (the rest of a body over the limit, a request on a
     * connection refused at once); closing a socket with unread bytes makes the kernel send a reset, and a reset can
     * destroy the answer in the client's buffers before the client reads it. So once the answer is written the
     * collector ends its side of the connection (the client reads the answer, then end-of-file), reads and discards
     * whatever still arrives, and closes when the client does, or after {@code lingerMillis} at the latest.
     */
    static void closing(ChannelHandlerContext ctx, Collector.Reply reply, long lingerMillis) {
        Channel channel = ctx.channel();
        if (channel.attr(CLOSING).setIfAbsent(Boolean.TRUE) != null) {
            return;
        }
        FullHttpResponse response = json(reply);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        if (channel.pipeline().get(HttpServerKeepAliveHandler.class) != null) {
            // It would close the connection as soon as an answer saying "close" is written.
            channel.pipeline().remove(HttpServerKeepAliveHandler.class);
        }
        channel.writeAndFlush(response).addListener(written -> {
            if (!written.isSuccess() || !channel.isActive()) {
                channel.close();
                return;
            }
            channel.pipeline().addFirst(Discard.INSTANCE);
            channel.config().setAutoRead(true);
            if (channel instanceof SocketChannel socket) {
                socket.shutdownOutput();
            }
            channel.eventLoop().schedule(() -> {
                channel.close();
            }, lingerMillis, TimeUnit.MILLISECONDS);
        });
    }

    /** At the head of a closing connection's pipeline: every byte read is dropped, nothing is decoded. */
    @ChannelHandler.Sharable
    private static final class Discard extends ChannelInboundHandlerAdapter {
        static final Discard INSTANCE = new Discard();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}

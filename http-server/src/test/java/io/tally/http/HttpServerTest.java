package io.tally.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.tally.http.HttpServer.ConnectionHandlers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HttpServerTest {
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger closed = new AtomicInteger();

    @Test
    void listensOnLoopbackUnlessToldAndBuildsEachConnectionItsOwnHandlers() throws IOException {
        try (HttpServer server = echoServer().start(null, 0)) {
            assertThat(server.address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
            assertThat(get(server, "/first")).startsWith("HTTP/1.1 200 OK").endsWith("GET /first");
            assertThat(get(server, "/second")).startsWith("HTTP/1.1 200 OK").endsWith("GET /second");
            assertThat(connections).hasValue(2);
            assertThat(closed).as("the owner's resources, while serving").hasValue(0);
        }
        assertThat(closed).as("the owner's resources, once closed").hasValue(1);
    }

    @Test
    void aPortTakenFailsTheStartAndClosesTheOwnersResources() {
        try (HttpServer first = echoServer().start("127.0.0.1", 0)) {
            int port = first.address().getPort();
            assertThatThrownBy(() -> echoServer().start("127.0.0.1", port)).isInstanceOf(Exception.class)
                    .hasMessageContaining("Address already in use");
            assertThat(closed).as("the failed server's resources").hasValue(1);
        }
        assertThat(closed).hasValue(2);
    }

    private HttpServer.Builder echoServer() {
        return HttpServer.builder(() -> {
            connections.incrementAndGet();
            return new ConnectionHandlers(List.of(), List.of(new HttpObjectAggregator(1024), new Echo()));
        }).closing(closed::incrementAndGet);
    }

    /** Answers with the request's method and path, and closes the connection. */
    private static final class Echo extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            byte[] body = (request.method() + " " + request.uri()).getBytes(StandardCharsets.UTF_8);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(body));
            response.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** One request on a connection of its own, read to the server's close. */
    private static String get(HttpServer server, String path) throws IOException {
        try (Socket socket = new Socket(server.address().getAddress(), server.address().getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}

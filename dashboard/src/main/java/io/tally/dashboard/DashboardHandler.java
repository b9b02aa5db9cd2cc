package io.tally.dashboard;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.tally.query.dashboard.DashboardSettings;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Routes a request: {@code /api/<name>} to the {@link DashboardApi} (off the event loop), anything else to a file. */
final class DashboardHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardHandler.class);
    private static final String SECURITY_POLICY = "default-src 'self'; style-src 'self' 'unsafe-inline';"
            + " img-src 'self' data:; frame-ancestors 'none'";

    private final DashboardApi api;
    private final StaticFiles files;
    private final ExecutorService queries;
    private final byte[] credentials;

    DashboardHandler(DashboardApi api, StaticFiles files, DashboardSettings settings, ExecutorService queries) {
        this.api = api;
        this.files = files;
        this.queries = queries;
        this.credentials = settings.basicAuth()
                ? ("Basic " + Base64.getEncoder().encodeToString((settings.user() + ":" + settings.password())
                        .getBytes(StandardCharsets.UTF_8))).getBytes(StandardCharsets.UTF_8)
                : null;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!request.decoderResult().isSuccess()) {
            reply(ctx, keepAlive, text(HttpResponseStatus.BAD_REQUEST, "malformed request"));
            return;
        }
        if (credentials != null && !authorized(request)) {
            FullHttpResponse refused = text(HttpResponseStatus.UNAUTHORIZED, "sign in to see Tally's dashboard");
            refused.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Basic realm=\"Tally\", charset=\"UTF-8\"");
            reply(ctx, keepAlive, refused);
            return;
        }
        if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
            FullHttpResponse refused = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "the dashboard only reads: use GET");
            refused.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            reply(ctx, keepAlive, refused);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path = uri.path();
        if (path.startsWith("/api/")) {
            String name = path.substring("/api/".length());
            Map<String, List<String>> parameters = uri.parameters();
            try {
                queries.execute(() -> {
                    DashboardApi.Answer answer;
                    try {
                        answer = api.answer(name, parameters);
                    } catch (RuntimeException e) {
                        LOG.warn("dashboard query {} failed", name, e);
                        answer = new DashboardApi.Answer(500, "application/json",
                                "{\"error\":\"the query failed; the dashboard's log says why\"}");
                    }
                    FullHttpResponse response = response(HttpResponseStatus.valueOf(answer.status()),
                            answer.contentType(), answer.body().getBytes(StandardCharsets.UTF_8));
                    response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
                    if (answer.contentType().startsWith("text/csv")) {
                        response.headers().set(HttpHeaderNames.CONTENT_DISPOSITION,
                                "attachment; filename=\"tally-" + name.replaceAll("[^a-z-]", "") + ".csv\"");
                    }
                    ctx.executor().execute(() -> reply(ctx, keepAlive, response));
                });
            } catch (RejectedExecutionException e) {
                reply(ctx, keepAlive, text(HttpResponseStatus.SERVICE_UNAVAILABLE, "the dashboard is stopping"));
            }
            return;
        }
        Optional<StaticFiles.File> file = files.find(path);
        if (file.isEmpty()) {
            reply(ctx, keepAlive, text(HttpResponseStatus.NOT_FOUND, "no page at " + Params.printable(path)));
            return;
        }
        FullHttpResponse response = response(HttpResponseStatus.OK, file.get().contentType(), file.get().bytes());
        if (path.startsWith("/webjars/")) {
            response.headers().set(HttpHeaderNames.CACHE_CONTROL, "max-age=86400");
        }
        reply(ctx, keepAlive, response);
    }

    private boolean authorized(FullHttpRequest request) {
        String given = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        return given != null && MessageDigest.isEqual(credentials, given.getBytes(StandardCharsets.UTF_8));
    }

    private static FullHttpResponse text(HttpResponseStatus status, String message) {
        return response(status, "text/plain; charset=utf-8", (message + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static FullHttpResponse response(HttpResponseStatus status, String contentType, byte[] body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set("X-Content-Type-Options", "nosniff")
                .set(HttpHeaderNames.CONTENT_SECURITY_POLICY, SECURITY_POLICY);
        return response;
    }

    private static void reply(ChannelHandlerContext ctx, boolean keepAlive, FullHttpResponse response) {
        HttpUtil.setKeepAlive(response, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(response);
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            ctx.close();
        } else {
            super.userEventTriggered(ctx, event);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("dashboard connection closed: {}", cause.toString());
        ctx.close();
    }
}

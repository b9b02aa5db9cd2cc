package io.tally.collector.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.tally.collector.Collector;
import io.tally.collector.Refusal;
import io.tally.collector.RequestRefused;

/**
 * Collects a request's body up to the batch limit. A longer body gets Segment's answer, 400 naming the limit,
 * rather than Netty's 413, and the connection is closed: the rest of the body is discarded as it arrives, for at
 * most the linger ({@link Replies#closing}).
 */
final class CappedAggregator extends HttpObjectAggregator {
    private final Collector collector;
    private final int maxBatchBytes;
    private final long lingerMillis;

    CappedAggregator(Collector collector, int maxBatchBytes, long lingerMillis) {
        super(maxBatchBytes, true);
        this.collector = collector;
        this.maxBatchBytes = maxBatchBytes;
        this.lingerMillis = lingerMillis;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        String path = oversized instanceof HttpRequest request ? new QueryStringDecoder(request.uri()).path() : null;
        Replies.closing(ctx, collector.refused(path, new RequestRefused(Refusal.BATCH_TOO_LARGE,
                "the body has more than " + maxBatchBytes + " bytes, the limit per request (batch_limit "
                        + maxBatchBytes + " bytes)")), lingerMillis);
    }
}

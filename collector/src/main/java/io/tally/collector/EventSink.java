package io.tally.collector;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Where accepted messages go: Kafka, or a fake in unit tests. */
public interface EventSink extends AutoCloseable {
    /**
     * Writes the records of one request; the future completes when every one of them is acknowledged, or
     * exceptionally as soon as one cannot be (the others may have been written: the client retries the request
     * and the topology counts each messageId once).
     */
    CompletableFuture<Void> publish(String source, List<EventRecord> records);

    @Override
    void close();
}

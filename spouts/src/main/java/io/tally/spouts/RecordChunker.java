package io.tally.spouts;

import java.util.List;
import org.apache.storm.trident.operation.TridentCollector;
import org.apache.storm.tuple.Values;

/**
 * Takes a spout's {@link RawRecordFields} tuples and passes them on as {@link RecordChunk}s: a chunk is emitted
 * when it is full, when a record of another source arrives, and at {@link #finish()}, which the spout calls before
 * its emit method returns, so a chunk never outlives its batch. Every chunk carries the batch's first read time.
 */
final class RecordChunker extends WatchingCollector {
    private final RecordChunk.Builder chunk = new RecordChunk.Builder();
    private final long readAt;

    /** @param readAt when Tally first read the batch, epoch milliseconds (see {@link RecordChunk#readAtMillis()}) */
    RecordChunker(TridentCollector delegate, long readAt) {
        super(delegate);
        this.readAt = readAt;
    }

    /** @param rawRecord a spout's tuple: {@link RawRecordFields#FIELDS}, by position */
    @Override
    public void emit(List<Object> rawRecord) {
        String source = (String) rawRecord.get(1);
        if (!chunk.accepts(source)) {
            delegate.emit(new Values(chunk.build(readAt)));
        }
        chunk.add((byte[]) rawRecord.get(0), source, ((Number) rawRecord.get(2)).longValue(),
                ((Number) rawRecord.get(3)).longValue());
    }

    @Override
    public void flush() {
        finish();
        delegate.flush();
    }

    /** Emits the records not yet emitted. */
    void finish() {
        if (!chunk.isEmpty()) {
            delegate.emit(new Values(chunk.build(readAt)));
        }
    }
}

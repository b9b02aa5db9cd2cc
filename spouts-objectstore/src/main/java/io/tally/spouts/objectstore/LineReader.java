package io.tally.spouts.objectstore;

import io.tally.spouts.lines.LineAssembler;
import io.tally.spouts.lines.LineBatch;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * Reads whole lines of one object from a byte offset. Plain data is read from the offset directly; gzip data is
 * decompressed from its start and skipped forward, so the stream is kept open between batches and only reopened
 * when a batch asks for another offset (a replay). The lines are assembled by the {@link LineAssembler} the log-file
 * spout uses too; what is particular to an object is where its bytes come from: ETag-pinned ranged GETs.
 */
final class LineReader implements Closeable {
    /** Where the stored bytes come from: the object, read in ranges. */
    interface ByteSource {
        /** The stored (for gzip: compressed) bytes from {@code offset} to the end. */
        InputStream openAt(long offset) throws IOException;
    }

    private static final int BUFFER_BYTES = 256 * 1024;

    private final ByteSource source;
    private final boolean gzipped;
    private final LineAssembler lines;
    private InputStream in;

    /** @param maxLineBytes a longer line is emitted cut to this many bytes plus one */
    LineReader(ByteSource source, boolean gzipped, int maxLineBytes) {
        this.source = source;
        this.gzipped = gzipped;
        this.lines = new LineAssembler(this::reopenAt, (into, off, len) -> in.read(into, off, len), gzipped,
                maxLineBytes, BUFFER_BYTES, BUFFER_BYTES);
    }

    /**
     * Reads up to the limits from {@code offset}; an object's last line needs no newline. A line that would take
     * the bytes read past {@code maxBytes} is left for the next read, unless it is the first line and
     * {@code firstLineAnyway} (a line longer than a whole batch must still be read once).
     */
    LineBatch read(long offset, int maxLines, long maxBytes, boolean firstLineAnyway, LineAssembler.LineSink sink)
            throws IOException {
        return lines.read(offset, maxLines, maxBytes, true, firstLineAnyway, sink);
    }

    private void reopenAt(long offset) throws IOException {
        close();
        if (gzipped) {
            in = new GZIPInputStream(source.openAt(0), 64 * 1024);
            in.skipNBytes(offset);
        } else {
            in = source.openAt(offset);
        }
    }

    @Override
    public void close() throws IOException {
        lines.unposition();
        if (in != null) {
            in.close();
            in = null;
        }
    }
}

package io.tally.spouts.file;

import io.tally.spouts.lines.LineAssembler;
import io.tally.spouts.lines.LineBatch;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.GZIPInputStream;

/**
 * Reads whole lines of one file from a byte offset. A plain file is read from the offset directly; a gzip file
 * is decompressed from its start and skipped forward, so the stream is kept open between batches and only
 * restarted when a batch asks for another offset (a replay). The file is opened once and stays open until closed,
 * so it is the same file whatever is renamed meanwhile.
 *
 * <p>A line is emitted only with its newline, so a line still being written is never emitted half; the caller
 * decides when a file has been idle long enough for its unterminated last line to count. The lines themselves are
 * assembled by the {@link LineAssembler} the object-store spout uses too; this class is what is particular to a
 * file: the open channel, its size and its fingerprint.
 */
final class LineReader implements AutoCloseable {
    private static final int BUFFER_BYTES = 256 * 1024;
    /** A reader starts small and grows to {@link #BUFFER_BYTES}: a batch may open hundreds of small files. */
    private static final int FIRST_BUFFER_BYTES = 8 * 1024;

    private final Path path;
    private final boolean gzipped;
    private final LineAssembler lines;
    /** The open file: it stays the same file when renamed, so a reader never drifts to a file that took its name. */
    private FileChannel channel;
    /** A gzip file's decompressed stream over {@link #channel}; plain files are read from the channel. */
    private InputStream gunzipped;

    LineReader(Path path, boolean gzipped, int maxLineBytes) {
        this.path = path;
        this.gzipped = gzipped;
        this.lines = new LineAssembler(this::reopenAt, (into, off, len) -> gzipped ? gunzipped.read(into, off, len)
                : channel.read(ByteBuffer.wrap(into, off, len)), gzipped, maxLineBytes, FIRST_BUFFER_BYTES, BUFFER_BYTES);
    }

    Path path() {
        return path;
    }

    /** The size of the open file (compressed, for gzip), opening it if needed. */
    long size() throws IOException {
        return open().size();
    }

    /** The open file's fingerprint over {@code length} bytes; {@code null} when it is shorter. */
    Fingerprint fingerprint(int length) throws IOException {
        return Fingerprint.read(open(), length);
    }

    /**
     * Reads up to the limits from {@code offset}. With {@code takeUnterminated}, a last line without a newline at
     * the end of the data is emitted too (the file is idle); a gzip stream's end always ends its last line. A line
     * that would take the bytes read past {@code maxBytes} is left for the next read, unless it is the first line
     * and {@code firstLineAnyway} (a line longer than a whole batch must still be read once).
     */
    LineBatch read(long offset, int maxLines, long maxBytes, boolean takeUnterminated, boolean firstLineAnyway,
            LineAssembler.LineSink sink) throws IOException {
        open();
        return lines.read(offset, maxLines, maxBytes, takeUnterminated, firstLineAnyway, sink);
    }

    private FileChannel open() throws IOException {
        if (channel == null) {
            channel = FileChannel.open(path, StandardOpenOption.READ);
            lines.unposition();
        }
        return channel;
    }

    private void reopenAt(long offset) throws IOException {
        FileChannel file = open();
        if (gzipped) {
            closeGunzipped();
            file.position(0);
            InputStream raw = new FilterInputStream(Channels.newInputStream(file)) {
                @Override
                public void close() {
                    // The channel stays open for the next stream and for fingerprints; close() closes it.
                }
            };
            gunzipped = new GZIPInputStream(raw, 64 * 1024);
            gunzipped.skipNBytes(offset);
        } else {
            file.position(offset);
        }
    }

    private void closeGunzipped() throws IOException {
        if (gunzipped != null) {
            gunzipped.close();
            gunzipped = null;
        }
    }

    @Override
    public void close() throws IOException {
        lines.unposition();
        try {
            closeGunzipped();
        } finally {
            if (channel != null) {
                channel.close();
                channel = null;
            }
        }
    }
}

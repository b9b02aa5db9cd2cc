package io.tally.spouts.objectstore;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reads whole lines of one object from a byte offset. Plain data is read from the offset directly; gzip data is
 * decompressed from its start and skipped forward, so the stream is kept open between batches and only reopened
 * when a batch asks for another offset (a replay).
 *
 * <p>The log-file spout has its own reader: it keeps the file's channel open to fingerprint it and to stay on the
 * same file across renames, which an object read in ETag-pinned ranges has no use for. Lines are found by scanning
 * a buffer for newlines, not byte by byte through a stream.
 */
final class LineReader implements Closeable {
    /** Receives each line: its bytes without the line end, and the offset where it starts. */
    interface LineSink {
        void line(byte[] payload, long position);
    }

    /** Where the stored bytes come from: the object, read in ranges. */
    interface ByteSource {
        /** The stored (for gzip: compressed) bytes from {@code offset} to the end. */
        InputStream openAt(long offset) throws IOException;
    }

    private static final int BUFFER_BYTES = 256 * 1024;

    private final ByteSource source;
    private final boolean gzipped;
    private final int maxLineBytes;
    private final byte[] buffer = new byte[BUFFER_BYTES];
    private InputStream in;
    /** Offset in the object of {@code buffer[0]}. */
    private long bufferOffset;
    private int start;
    private int end;
    private boolean endOfData;

    /** @param maxLineBytes a longer line is emitted cut to this many bytes plus one */
    LineReader(ByteSource source, boolean gzipped, int maxLineBytes) {
        this.source = source;
        this.gzipped = gzipped;
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * Reads up to the limits from {@code offset}. With {@code takeUnterminated}, a last line without a newline at
     * the end of the data is emitted too; a gzip stream's end always ends its last line.
     */
    LineBatch read(long offset, int maxLines, long maxBytes, boolean takeUnterminated, LineSink sink) throws IOException {
        seek(offset);
        endOfData = false;
        int lines = 0;
        int empty = 0;
        int truncated = 0;
        // A line longer than the buffer is collected here, cut at maxLineBytes + 1.
        byte[] longLine = null;
        int longLength = 0;
        long lineStart = bufferOffset + start;
        while (lines < maxLines && lineStart - offset < maxBytes) {
            int newline = indexOf(buffer, start, end, (byte) '\n');
            if (newline < 0) {
                if (end - start > 0 && (longLine != null || end - start >= buffer.length / 2)) {
                    // Keep at most maxLineBytes + 1 of an over-long line; the rest is skipped.
                    if (longLine == null) {
                        longLine = new byte[Math.min(maxLineBytes + 1, Math.max(end - start, 1024))];
                    }
                    int room = Math.min(end - start, maxLineBytes + 1 - longLength);
                    if (room > 0) {
                        if (longLength + room > longLine.length) {
                            longLine = Arrays.copyOf(longLine, Math.min(maxLineBytes + 1, (longLength + room) * 2));
                        }
                        System.arraycopy(buffer, start, longLine, longLength, room);
                        longLength += room;
                    }
                    bufferOffset += end;
                    start = 0;
                    end = 0;
                }
                if (!fill()) {
                    boolean unterminated = longLine != null || end - start > 0;
                    if (unterminated && (takeUnterminated || gzipped)) {
                        byte[] payload = longLine != null ? Arrays.copyOf(longLine, longLength)
                                : Arrays.copyOfRange(buffer, start, end);
                        sink.line(trimCarriageReturn(payload), lineStart);
                        lines++;
                        truncated += longLength > maxLineBytes ? 1 : 0;
                        start = end;
                        lineStart = bufferOffset + end;
                    } else if (longLine != null) {
                        // The partly read long line is read again, from its start, by the next batch.
                        reopenAt(lineStart);
                    }
                    return new LineBatch(lineStart, lines, empty, truncated, true);
                }
                continue;
            }
            byte[] payload;
            if (longLine != null) {
                int room = Math.min(newline - start, maxLineBytes + 1 - longLength);
                if (room > 0) {
                    longLine = Arrays.copyOf(longLine, Math.min(maxLineBytes + 1, longLength + room));
                    System.arraycopy(buffer, start, longLine, longLength, room);
                    longLength += room;
                }
                payload = Arrays.copyOf(longLine, longLength);
                truncated += longLength > maxLineBytes ? 1 : 0;
                longLine = null;
                longLength = 0;
            } else {
                payload = Arrays.copyOfRange(buffer, start, Math.min(newline, start + maxLineBytes + 1));
                truncated += newline - start > maxLineBytes ? 1 : 0;
            }
            payload = trimCarriageReturn(payload);
            if (payload.length == 0) {
                empty++;
            } else {
                sink.line(payload, lineStart);
                lines++;
            }
            start = newline + 1;
            lineStart = bufferOffset + start;
        }
        if (longLine != null) {
            reopenAt(lineStart);
        }
        return new LineBatch(lineStart, lines, empty, truncated, false);
    }

    /** Moves unread bytes to the front and reads more; false when no more data is there now. */
    private boolean fill() throws IOException {
        if (endOfData) {
            return false;
        }
        if (start > 0) {
            System.arraycopy(buffer, start, buffer, 0, end - start);
            bufferOffset += start;
            end -= start;
            start = 0;
        }
        int read = in.read(buffer, end, buffer.length - end);
        if (read <= 0) {
            endOfData = true;
            return false;
        }
        end += read;
        return true;
    }

    private static int indexOf(byte[] bytes, int from, int to, byte wanted) {
        for (int i = from; i < to; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    private static byte[] trimCarriageReturn(byte[] line) {
        return line.length > 0 && line[line.length - 1] == '\r' ? Arrays.copyOf(line, line.length - 1) : line;
    }

    private void seek(long offset) throws IOException {
        if (in != null && bufferOffset + start == offset) {
            return;
        }
        reopenAt(offset);
    }

    private void reopenAt(long offset) throws IOException {
        close();
        if (gzipped) {
            in = new GZIPInputStream(source.openAt(0), 64 * 1024);
            in.skipNBytes(offset);
        } else {
            in = source.openAt(offset);
        }
        bufferOffset = offset;
        start = 0;
        end = 0;
    }

    @Override
    public void close() throws IOException {
        if (in != null) {
            in.close();
            in = null;
        }
    }
}

package io.tally.spouts.file;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reads whole lines of one file from a byte offset. A plain file is read from the offset directly; a gzip file
 * is decompressed from its start and skipped forward, so the stream is kept open between batches and only
 * restarted when a batch asks for another offset (a replay). The file is opened once and stays open until closed,
 * so it is the same file whatever is renamed meanwhile.
 *
 * <p>A line is emitted only with its newline, so a line still being written is never emitted half; the caller
 * decides when a file has been idle long enough for its unterminated last line to count. Lines are found by
 * scanning a buffer for newlines, not byte by byte through a stream.
 */
final class LineReader implements AutoCloseable {
    /** Receives each line: its bytes without the line end, and the offset where it starts. */
    interface LineSink {
        void line(byte[] payload, long position);
    }

    private static final int BUFFER_BYTES = 256 * 1024;
    /** A reader starts small and grows to {@link #BUFFER_BYTES}: a batch may open hundreds of small files. */
    private static final int FIRST_BUFFER_BYTES = 8 * 1024;

    private final Path path;
    private final boolean gzipped;
    private final int maxLineBytes;
    private byte[] buffer = new byte[FIRST_BUFFER_BYTES];
    /** The open file: it stays the same file when renamed, so a reader never drifts to a file that took its name. */
    private FileChannel channel;
    /** A gzip file's decompressed stream over {@link #channel}; plain files are read from the channel. */
    private InputStream gunzipped;
    private boolean positioned;
    /** Offset in the file of {@code buffer[0]}. */
    private long bufferOffset;
    private int start;
    private int end;
    private boolean endOfData;

    LineReader(Path path, boolean gzipped, int maxLineBytes) {
        this.path = path;
        this.gzipped = gzipped;
        this.maxLineBytes = maxLineBytes;
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
            LineSink sink) throws IOException {
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
                if (end - start > 0 && (longLine != null || end - start >= BUFFER_BYTES / 2)) {
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
                    boolean fits = bufferOffset + end - offset <= maxBytes
                            || firstLineAnyway && lines == 0 && empty == 0;
                    if (unterminated && (takeUnterminated || gzipped) && fits) {
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
            if (bufferOffset + newline + 1 - offset > maxBytes && !(firstLineAnyway && lines == 0 && empty == 0)) {
                // Left whole for the next batch.
                if (longLine != null) {
                    reopenAt(lineStart);
                }
                return new LineBatch(lineStart, lines, empty, truncated, false);
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
        if (end == buffer.length && buffer.length < BUFFER_BYTES) {
            buffer = Arrays.copyOf(buffer, Math.min(BUFFER_BYTES, buffer.length * 2));
        }
        int read = gzipped ? gunzipped.read(buffer, end, buffer.length - end)
                : channel.read(ByteBuffer.wrap(buffer, end, buffer.length - end));
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
        if (positioned && bufferOffset + start == offset) {
            return;
        }
        reopenAt(offset);
    }

    private FileChannel open() throws IOException {
        if (channel == null) {
            channel = FileChannel.open(path, StandardOpenOption.READ);
            positioned = false;
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
        positioned = true;
        bufferOffset = offset;
        start = 0;
        end = 0;
    }

    private void closeGunzipped() throws IOException {
        if (gunzipped != null) {
            gunzipped.close();
            gunzipped = null;
        }
    }

    @Override
    public void close() throws IOException {
        positioned = false;
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

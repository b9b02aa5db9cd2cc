package io.tally.spouts.lines;

import java.io.IOException;
import java.util.Arrays;

/**
 * Turns the bytes of one file or object into complete lines, from a byte offset and within a batch's limits: the
 * line loop the log-file and object-store spouts share. Lines are found by scanning a buffer for newlines, not
 * byte by byte through a stream; a line longer than half the buffer is carried over refills and cut at the line
 * limit; a last line without its newline is left for the next read unless the caller says the data is complete.
 *
 * <p>Where the bytes come from is the caller's ({@link Seek}, {@link Read}): a file's channel kept open across renames, a gzip
 * stream, or ranged GETs pinned to one object version. The assembler keeps the source positioned between reads, so
 * consecutive batches go on reading, and asks it to seek only when a read starts elsewhere (a replay) or a partly
 * read long line must be read again from its start.
 */
public final class LineAssembler {
    /** Receives each line: its bytes without the line end, and the offset where it starts. */
    public interface LineSink {
        void line(byte[] payload, long position);
    }

    /** Positions the data (uncompressed) so that the next {@link Read} returns the bytes from {@code offset}. */
    @FunctionalInterface
    public interface Seek {
        void seek(long offset) throws IOException;
    }

    /** As {@link java.io.InputStream#read(byte[], int, int)}; 0 or less when there is no more data now. */
    @FunctionalInterface
    public interface Read {
        int read(byte[] into, int off, int len) throws IOException;
    }

    private final Seek seeker;
    private final Read reader;
    private final boolean endsLastLine;
    private final int maxLineBytes;
    private final int maxBufferBytes;
    private byte[] buffer;
    private boolean positioned;
    /** Offset in the data of {@code buffer[0]}. */
    private long bufferOffset;
    private int start;
    private int end;
    private boolean endOfData;

    /**
     * @param endsLastLine the end of the data always ends its last line (a gzip stream's end does: nothing can be
     *     appended to it), whatever a read's {@code takeUnterminated}
     * @param maxLineBytes a longer line is emitted cut to this many bytes plus one
     * @param firstBufferBytes the buffer starts this small and grows to {@code maxBufferBytes} (a batch may open
     *     hundreds of small files)
     */
    public LineAssembler(Seek seek, Read read, boolean endsLastLine, int maxLineBytes, int firstBufferBytes,
            int maxBufferBytes) {
        this.seeker = seek;
        this.reader = read;
        this.endsLastLine = endsLastLine;
        this.maxLineBytes = maxLineBytes;
        this.maxBufferBytes = maxBufferBytes;
        this.buffer = new byte[Math.min(firstBufferBytes, maxBufferBytes)];
    }

    /**
     * Reads up to the limits from {@code offset}. With {@code takeUnterminated}, a last line without a newline at
     * the end of the data is emitted too. A line that would take the bytes read past {@code maxBytes} is left for
     * the next read, unless it is the first line and {@code firstLineAnyway} (a line longer than a whole batch must
     * still be read once).
     */
    public LineBatch read(long offset, int maxLines, long maxBytes, boolean takeUnterminated, boolean firstLineAnyway,
            LineSink sink) throws IOException {
        if (!positioned || bufferOffset + start != offset) {
            seek(offset);
        }
        endOfData = false;
        int lines = 0;
        int empty = 0;
        int truncated = 0;
        // A line longer than half the buffer is collected here, cut at maxLineBytes + 1.
        byte[] longLine = null;
        int longLength = 0;
        long lineStart = bufferOffset + start;
        while (lines < maxLines && lineStart - offset < maxBytes) {
            int newline = indexOf(buffer, start, end, (byte) '\n');
            if (newline < 0) {
                if (end - start > 0 && (longLine != null || end - start >= maxBufferBytes / 2)) {
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
                    if (unterminated && (takeUnterminated || endsLastLine) && fits) {
                        byte[] payload = longLine != null ? Arrays.copyOf(longLine, longLength)
                                : Arrays.copyOfRange(buffer, start, end);
                        sink.line(trimCarriageReturn(payload), lineStart);
                        lines++;
                        truncated += longLength > maxLineBytes ? 1 : 0;
                        start = end;
                        lineStart = bufferOffset + end;
                    } else if (longLine != null) {
                        // The partly read long line is read again, from its start, by the next read.
                        seek(lineStart);
                    }
                    return new LineBatch(lineStart, lines, empty, truncated, true);
                }
                continue;
            }
            if (bufferOffset + newline + 1 - offset > maxBytes && !(firstLineAnyway && lines == 0 && empty == 0)) {
                // Left whole for the next read.
                if (longLine != null) {
                    seek(lineStart);
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
            seek(lineStart);
        }
        return new LineBatch(lineStart, lines, empty, truncated, false);
    }

    /** Forgets the position (the source was closed or moved): the next read seeks first. */
    public void unposition() {
        positioned = false;
    }

    private void seek(long offset) throws IOException {
        // Not positioned until the source has moved: a seek that fails is tried again by the next read.
        positioned = false;
        seeker.seek(offset);
        positioned = true;
        bufferOffset = offset;
        start = 0;
        end = 0;
    }

    /** Moves unread bytes to the front, grows a full buffer up to its maximum, and reads more; false at the end. */
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
        if (end == buffer.length && buffer.length < maxBufferBytes) {
            buffer = Arrays.copyOf(buffer, Math.min(maxBufferBytes, buffer.length * 2));
        }
        int read = reader.read(buffer, end, buffer.length - end);
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
}

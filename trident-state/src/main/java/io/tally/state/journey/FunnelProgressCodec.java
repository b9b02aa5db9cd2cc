package io.tally.state.journey;

import com.datastax.oss.driver.api.core.cql.Row;
import io.tally.state.cassandra.ValueCodec;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Stores a {@link FunnelProgress} in one {@code state blob} column, compactly, since there is a row per (funnel, user)
 * that matched a step: a format byte, the newest time, then either the frozen chain or the kept events, each time as
 * a variable-length difference from the one before (most are seconds to days apart: 3 to 5 bytes) and each event's
 * steps as a variable-length bit mask (1 or 2 bytes).
 */
public final class FunnelProgressCodec implements ValueCodec<FunnelProgress> {
    private static final long serialVersionUID = 1L;
    private static final byte OPEN = 1;
    private static final byte FROZEN = 2;

    @Override
    public List<String> columns() {
        return List.of("state");
    }

    @Override
    public List<String> cqlTypes() {
        return List.of("blob");
    }

    @Override
    public List<Object> encode(FunnelProgress value) {
        return List.of(ByteBuffer.wrap(toBytes(value)));
    }

    @Override
    public FunnelProgress decode(Row row, String prefix) {
        ByteBuffer bytes = row.getByteBuffer(prefix + "state");
        return bytes == null ? null : fromBytes(bytes.duplicate());
    }

    public static byte[] toBytes(FunnelProgress value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 + value.keptEvents() * 6);
        boolean frozen = value.frozen();
        out.write(frozen ? FROZEN : OPEN);
        writeSigned(out, value.newestMillis());
        long[] times = frozen ? value.frozenChain() : value.times();
        writeUnsigned(out, times.length);
        long previous = value.newestMillis();
        for (int i = 0; i < times.length; i++) {
            writeSigned(out, times[i] - previous);
            previous = times[i];
            if (!frozen) {
                writeUnsigned(out, value.masks()[i]);
            }
        }
        return out.toByteArray();
    }

    public static FunnelProgress fromBytes(ByteBuffer in) {
        byte format = in.get();
        if (format != OPEN && format != FROZEN) {
            throw new IllegalStateException("user_journeys.state: unknown funnel format " + format);
        }
        boolean frozen = format == FROZEN;
        long newest = readSigned(in);
        int count = (int) readUnsigned(in);
        long[] times = new long[count];
        int[] masks = new int[frozen ? 0 : count];
        long previous = newest;
        for (int i = 0; i < count; i++) {
            times[i] = previous + readSigned(in);
            previous = times[i];
            if (!frozen) {
                masks[i] = (int) readUnsigned(in);
            }
        }
        return frozen ? new FunnelProgress(newest, new long[0], new int[0], times)
                : new FunnelProgress(newest, times, masks, null);
    }

    private static void writeSigned(ByteArrayOutputStream out, long value) {
        writeUnsigned(out, (value << 1) ^ (value >> 63));
    }

    private static void writeUnsigned(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }

    private static long readSigned(ByteBuffer in) {
        long raw = readUnsigned(in);
        return (raw >>> 1) ^ -(raw & 1);
    }

    private static long readUnsigned(ByteBuffer in) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = in.get();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new IllegalStateException("user_journeys.state: a number runs past 64 bits");
    }
}

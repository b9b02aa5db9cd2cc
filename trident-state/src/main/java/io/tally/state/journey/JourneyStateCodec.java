package io.tally.state.journey;

import com.datastax.oss.driver.api.core.cql.Row;
import io.tally.state.cassandra.ValueCodec;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Stores a {@link JourneyState} in one {@code state blob} column, compactly, since there is a row per (definition,
 * user): a format byte, the newest event time, then the state's times, each as a variable-length difference from
 * the one before (3 to 5 bytes for seconds to days apart) and, for a funnel's events, their steps as a
 * variable-length bit mask (1 or 2 bytes).
 */
public final class JourneyStateCodec implements ValueCodec<JourneyState> {
    private static final long serialVersionUID = 1L;
    private static final byte FUNNEL_OPEN = 1;
    private static final byte FUNNEL_FROZEN = 2;
    private static final byte RETENTION = 3;
    private static final byte SESSIONS = 4;

    @Override
    public List<String> columns() {
        return List.of("state");
    }

    @Override
    public List<String> cqlTypes() {
        return List.of("blob");
    }

    @Override
    public List<Object> encode(JourneyState value) {
        return List.of(ByteBuffer.wrap(toBytes(value)));
    }

    @Override
    public JourneyState decode(Row row, String prefix) {
        ByteBuffer bytes = row.getByteBuffer(prefix + "state");
        return bytes == null ? null : fromBytes(bytes.duplicate());
    }

    @Override
    public byte[] serialize(JourneyState value) {
        return toBytes(value);
    }

    @Override
    public JourneyState deserialize(ByteBuffer bytes) {
        return fromBytes(bytes);
    }

    public static byte[] toBytes(JourneyState value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(32);
        if (value instanceof FunnelProgress funnel) {
            writeFunnel(out, funnel);
        } else if (value instanceof RetentionProgress retention) {
            writeRetention(out, retention);
        } else if (value instanceof SessionProgress sessions) {
            writeSessions(out, sessions);
        }
        return out.toByteArray();
    }

    public static JourneyState fromBytes(ByteBuffer in) {
        byte format = in.get();
        return switch (format) {
            case FUNNEL_OPEN, FUNNEL_FROZEN -> readFunnel(in, format == FUNNEL_FROZEN);
            case RETENTION -> readRetention(in);
            case SESSIONS -> readSessions(in);
            default -> throw new IllegalStateException("user_journeys.state: unknown format " + format);
        };
    }

    private static void writeFunnel(ByteArrayOutputStream out, FunnelProgress value) {
        boolean frozen = value.frozen();
        out.write(frozen ? FUNNEL_FROZEN : FUNNEL_OPEN);
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
    }

    private static FunnelProgress readFunnel(ByteBuffer in, boolean frozen) {
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

    private static void writeRetention(ByteArrayOutputStream out, RetentionProgress value) {
        out.write(RETENTION);
        writeSigned(out, value.newestMillis());
        writeOptional(out, value.startMillis(), value.newestMillis());
        long newestDay = Math.floorDiv(value.newestMillis(), RetentionProgress.DAY_MILLIS);
        writeOptional(out, value.latestReturnDay(), newestDay);
        long[] days = value.returnDaysInternal();
        writeUnsigned(out, days.length);
        long previous = newestDay;
        for (long day : days) {
            writeSigned(out, day - previous);
            previous = day;
        }
    }

    private static RetentionProgress readRetention(ByteBuffer in) {
        long newest = readSigned(in);
        long start = readOptional(in, newest);
        long newestDay = Math.floorDiv(newest, RetentionProgress.DAY_MILLIS);
        long latest = readOptional(in, newestDay);
        long[] days = new long[(int) readUnsigned(in)];
        long previous = newestDay;
        for (int i = 0; i < days.length; i++) {
            days[i] = previous + readSigned(in);
            previous = days[i];
        }
        return new RetentionProgress(newest, start, latest, days);
    }

    /** Each open session as its first time's difference from the time before, its length and its events less one. */
    private static void writeSessions(ByteArrayOutputStream out, SessionProgress value) {
        out.write(SESSIONS);
        writeSigned(out, value.newestMillis());
        writeUnsigned(out, value.size());
        long previous = value.newestMillis();
        for (int i = 0; i < value.size(); i++) {
            writeSigned(out, value.first(i) - previous);
            writeUnsigned(out, value.last(i) - value.first(i));
            writeUnsigned(out, value.events(i) - 1);
            previous = value.first(i);
        }
    }

    private static SessionProgress readSessions(ByteBuffer in) {
        long newest = readSigned(in);
        int count = (int) readUnsigned(in);
        long[] firsts = new long[count];
        long[] lasts = new long[count];
        long[] events = new long[count];
        long previous = newest;
        for (int i = 0; i < count; i++) {
            firsts[i] = previous + readSigned(in);
            lasts[i] = firsts[i] + readUnsigned(in);
            events[i] = readUnsigned(in) + 1;
            previous = firsts[i];
        }
        return new SessionProgress(newest, firsts, lasts, events);
    }

    /** {@link RetentionProgress#NONE} as a single 0 byte, any other value as 1 and its difference from {@code base}. */
    private static void writeOptional(ByteArrayOutputStream out, long value, long base) {
        if (value == RetentionProgress.NONE) {
            out.write(0);
        } else {
            out.write(1);
            writeSigned(out, value - base);
        }
    }

    private static long readOptional(ByteBuffer in, long base) {
        return in.get() == 0 ? RetentionProgress.NONE : base + readSigned(in);
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

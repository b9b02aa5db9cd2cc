package io.tally.spouts;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.Arrays;
import org.apache.storm.Config;
import org.apache.storm.tuple.Fields;

/**
 * Consecutive raw records of one source, carried as one tuple from a spout to the ingest tier.
 *
 * <p>Why: Trident's cost per tuple crossing from a spout task to the next bolt (a tuple object, routing, a queue
 * hand-off and batch tracking on each side) was as large as parsing the record. A chunk pays it once for many
 * records; the ingest tier reads the records out of it and makes one tuple per record inside its own task, where
 * tuples are plain method calls. Which records share a chunk never changes a result: every aggregate is
 * per batch, and a chunk never spans two batches.
 *
 * <p>A chunk also carries when Tally first read its batch ({@link #readAtMillis()}), by Tally's own clock: the time
 * the records' own times are held to. It is stored with the batch's metadata, so a replay carries the first
 * attempt's time and the ingest tier decides a replayed record exactly as it did the first time.
 */
public final class RecordChunk {
    /** The single field of a spout's tuple: the chunk. */
    public static final Fields FIELDS = new Fields("records");
    /** Records per chunk at most: enough to make the hand-off cost vanish, few enough to keep a chunk small. */
    static final int MAX_RECORDS = 512;

    private final String source;
    private final byte[][] payloads;
    private final long[] positions;
    private final long[] receivedAt;
    private final long readAt;

    /**
     * Records of {@code source}: for each, its bytes, position and receipt time, at the same index. The chunk keeps
     * the arrays as given (no copy), so the caller must not change them afterwards.
     *
     * @param readAt when Tally first read the batch the records belong to, epoch milliseconds of Tally's clock
     */
    public RecordChunk(String source, byte[][] payloads, long[] positions, long[] receivedAt, long readAt) {
        if (payloads.length != positions.length || payloads.length != receivedAt.length) {
            throw new IllegalArgumentException("a chunk needs a position and a receipt time for each payload");
        }
        this.source = source;
        this.payloads = payloads;
        this.positions = positions;
        this.receivedAt = receivedAt;
        this.readAt = readAt;
    }

    public int size() {
        return payloads.length;
    }

    /** Where every record of the chunk was read; see {@link RawRecordFields#SOURCE}. */
    public String source() {
        return source;
    }

    public byte[] payload(int record) {
        return payloads[record];
    }

    public long position(int record) {
        return positions[record];
    }

    public long receivedAtMillis(int record) {
        return receivedAt[record];
    }

    /** When Tally first read the chunk's batch (the same on every replay of it), epoch milliseconds. */
    public long readAtMillis() {
        return readAt;
    }

    /** Chunks must be registered with Kryo to cross between workers. */
    public static void registerSerialization(Config conf) {
        conf.registerSerialization(RecordChunk.class, KryoSerializer.class);
    }

    @Override
    public String toString() {
        return "RecordChunk[" + source + ", " + size() + " records from position "
                + (size() == 0 ? "-" : String.valueOf(positions[0])) + "]";
    }

    /** Builds one chunk at a time, reusing nothing a built chunk holds. */
    static final class Builder {
        private String source;
        private final byte[][] payloads = new byte[MAX_RECORDS][];
        private final long[] positions = new long[MAX_RECORDS];
        private final long[] receivedAt = new long[MAX_RECORDS];
        private int size;

        /** Whether a record of {@code recordSource} can join the chunk being built. */
        boolean accepts(String recordSource) {
            return size == 0 || (size < MAX_RECORDS && source.equals(recordSource));
        }

        void add(byte[] payload, String recordSource, long position, long receivedAtMillis) {
            if (!accepts(recordSource)) {
                throw new IllegalStateException("the chunk of " + source + " is full or of another source");
            }
            source = recordSource;
            payloads[size] = payload;
            positions[size] = position;
            receivedAt[size] = receivedAtMillis;
            size++;
        }

        boolean isEmpty() {
            return size == 0;
        }

        /** The records added so far as a chunk; the builder starts empty again. */
        RecordChunk build(long readAt) {
            RecordChunk chunk = new RecordChunk(source, Arrays.copyOf(payloads, size), Arrays.copyOf(positions, size),
                    Arrays.copyOf(receivedAt, size), readAt);
            Arrays.fill(payloads, 0, size, null);
            size = 0;
            source = null;
            return chunk;
        }
    }

    /** The source and read time once, then each record's position, receipt time and bytes. */
    public static final class KryoSerializer extends Serializer<RecordChunk> {
        @Override
        public void write(Kryo kryo, Output out, RecordChunk chunk) {
            out.writeString(chunk.source);
            out.writeLong(chunk.readAt);
            out.writeInt(chunk.size(), true);
            for (int i = 0; i < chunk.size(); i++) {
                out.writeLong(chunk.positions[i]);
                out.writeLong(chunk.receivedAt[i]);
                out.writeInt(chunk.payloads[i].length, true);
                out.writeBytes(chunk.payloads[i]);
            }
        }

        @Override
        public RecordChunk read(Kryo kryo, Input in, Class<? extends RecordChunk> type) {
            String source = in.readString();
            long readAt = in.readLong();
            int size = in.readInt(true);
            byte[][] payloads = new byte[size][];
            long[] positions = new long[size];
            long[] receivedAt = new long[size];
            for (int i = 0; i < size; i++) {
                positions[i] = in.readLong();
                receivedAt[i] = in.readLong();
                payloads[i] = in.readBytes(in.readInt(true));
            }
            return new RecordChunk(source, payloads, positions, receivedAt, readAt);
        }
    }
}

package io.tally.topology.aggregate;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * The key {@code [name, bucket start]} as a list, compared field by field: a batch's counts look one up per
 * event, and an {@code ArrayList} key made each lookup compare a boxed start and walk two arrays.
 */
public final class NameAndBucket extends AbstractList<Object> implements RandomAccess {
    private final String name;
    private final long start;
    private final int hash;

    public NameAndBucket(String name, long start) {
        this.name = name;
        this.start = start;
        this.hash = 31 * (31 + name.hashCode()) + Long.hashCode(start); // as List.hashCode has it
    }

    @Override
    public Object get(int index) {
        return switch (index) {
            case 0 -> name;
            case 1 -> start;
            default -> throw new IndexOutOfBoundsException(index);
        };
    }

    @Override
    public int size() {
        return 2;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object other) {
        if (other instanceof NameAndBucket key) {
            return hash == key.hash && start == key.start && name.equals(key.name);
        }
        return super.equals(other);
    }

    /** How the key crosses between workers, on its way from the per-user stage to the counts stage. */
    public static final class KryoSerializer extends Serializer<NameAndBucket> {
        @Override
        public void write(Kryo kryo, Output out, NameAndBucket key) {
            out.writeString(key.name);
            out.writeLong(key.start);
        }

        @Override
        public NameAndBucket read(Kryo kryo, Input in, Class<? extends NameAndBucket> type) {
            return new NameAndBucket(in.readString(), in.readLong());
        }
    }
}

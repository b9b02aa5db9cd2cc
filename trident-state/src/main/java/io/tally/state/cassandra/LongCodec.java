package io.tally.state.cassandra;

import com.datastax.oss.driver.api.core.cql.Row;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A count stored as a plain {@code bigint}. Never a Cassandra counter column: counter increments
 * are not idempotent, so a replayed batch would add twice.
 */
public final class LongCodec implements ValueCodec<Long> {
    private static final long serialVersionUID = 1L;

    private final String column;

    public LongCodec(String column) {
        this.column = column;
    }

    @Override
    public List<String> columns() {
        return List.of(column);
    }

    @Override
    public List<String> cqlTypes() {
        return List.of("bigint");
    }

    @Override
    public List<Object> encode(Long value) {
        return List.of(value);
    }

    @Override
    public Long decode(Row row, String prefix) {
        String name = prefix + column;
        return row.isNull(name) ? null : row.getLong(name);
    }

    @Override
    public byte[] serialize(Long value) {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }

    @Override
    public Long deserialize(ByteBuffer bytes) {
        return bytes.getLong(bytes.position());
    }
}

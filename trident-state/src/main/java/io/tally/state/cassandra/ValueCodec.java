package io.tally.state.cassandra;

import com.datastax.oss.driver.api.core.cql.Row;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * How an aggregate value is stored in a row. Exactly-once storage keeps two copies of the value
 * (current and previous, see {@link MapTable}), so a codec reads and writes under a column prefix.
 */
public interface ValueCodec<T> extends Serializable {

    /** The value's column names without prefix, e.g. {@code [count]}. */
    List<String> columns();

    /** The CQL types of {@link #columns()}, for schema checks, e.g. {@code [bigint]}. */
    List<String> cqlTypes();

    /** Bind values for {@link #columns()}; {@code value} is never null. */
    List<Object> encode(T value);

    /**
     * Reads the value from {@code row}, whose columns are named {@code prefix + column};
     * null when the row holds no value under that prefix.
     */
    T decode(Row row, String prefix);

    /**
     * The value as bytes, for a state that logs its changes before it writes rows (see
     * {@link io.tally.state.cassandra.CassandraMapStateFactory#withWriteBehind}); {@code value} is never null. A
     * codec without a byte form cannot back such a state.
     */
    default byte[] serialize(T value) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no byte form: a write-behind"
                + " state cannot use it");
    }

    /** The value {@link #serialize} wrote, from {@code bytes}' position to its limit. */
    default T deserialize(ByteBuffer bytes) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no byte form: a write-behind"
                + " state cannot use it");
    }
}

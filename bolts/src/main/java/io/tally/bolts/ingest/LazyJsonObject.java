package io.tally.bolts.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;
import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;

/**
 * A JSON object of a record that the ingestor has checked but not yet turned into Java values: it is read from the
 * record's bytes the first time it is looked at. A topology that never looks at an event's properties or context
 * (counting events per name and hour, say) never pays for building them.
 *
 * <p>The ingestor checked these bytes under the same read constraints before accepting the record (syntax, nesting,
 * string and number lengths), so reading them again cannot fail. Safe to share between threads: two threads reading
 * at once build equal maps and keep one.
 */
final class LazyJsonObject extends AbstractMap<String, Object> {
    private final JsonFactory json;
    private final byte[] record;
    private final int offset;
    private final int length;
    /** An entry the object gets when built unless it has one of that name; null for none. */
    private final String defaultName;
    private final Object defaultValue;
    private volatile Map<String, Object> built;

    /** @param offset where the object's opening brace is in {@code record}; {@code length} runs to its closing one */
    LazyJsonObject(JsonFactory json, byte[] record, int offset, int length) {
        this(json, record, offset, length, null, null);
    }

    private LazyJsonObject(JsonFactory json, byte[] record, int offset, int length, String defaultName,
            Object defaultValue) {
        this.json = json;
        this.record = record;
        this.offset = offset;
        this.length = length;
        this.defaultName = defaultName;
        this.defaultValue = defaultValue;
    }

    /** The same object with the entry {@code name: value} after its own entries unless it has one of that name. */
    LazyJsonObject withEntryIfAbsent(String name, Object value) {
        return new LazyJsonObject(json, record, offset, length, name, value);
    }

    private Map<String, Object> built() {
        Map<String, Object> read = built;
        if (read == null) {
            try (JsonParser p = json.createParser(record, offset, length)) {
                p.nextToken();
                read = EventIngestor.readObject(p);
                if (defaultName != null) {
                    read.putIfAbsent(defaultName, defaultValue);
                }
            } catch (IOException e) {
                throw new IllegalStateException("a JSON object the ingestor accepted cannot be read again", e);
            }
            built = read;
        }
        return read;
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return built().entrySet();
    }

    @Override
    public Object get(Object key) {
        return built().get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return built().containsKey(key);
    }

    @Override
    public int size() {
        return built().size();
    }
}

package io.tally.topology.config;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** What one file says, checked against the schema: the values given and the sections present. */
public final class ConfigValues {
    private final Map<ConfigKey<?>, Object> given = new HashMap<>();
    private final Set<String> sections = new HashSet<>();
    private final Set<ConfigKey<?>> read = new HashSet<>();

    <T> void put(ConfigKey<T> key, T value) {
        given.put(key, value);
    }

    void addSection(String path) {
        sections.add(path);
    }

    /** The value the file gives, else the key's default (null when it has none). */
    public <T> T get(ConfigKey<T> key) {
        return given(key).orElse(key.defaultValue());
    }

    /** The value the file gives. */
    public <T> Optional<T> given(ConfigKey<T> key) {
        read.add(key);
        return bound(key);
    }

    /** The value the file gives, for the schema's own checks: not counted as {@linkplain #read() read}. */
    @SuppressWarnings("unchecked")
    <T> Optional<T> bound(ConfigKey<T> key) {
        return Optional.ofNullable((T) given.get(key));
    }

    /**
     * The keys whose values were asked for: after a loader has built its settings, a key missing here is one it
     * never uses, which a file could set to no effect.
     */
    Set<ConfigKey<?>> read() {
        return Set.copyOf(read);
    }

    /** Whether the file has the section (under any of its names). */
    public boolean has(String section) {
        return sections.contains(section);
    }
}

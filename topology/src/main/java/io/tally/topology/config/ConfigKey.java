package io.tally.topology.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * One setting of {@code tally.yaml}, defined once in {@link TallyConfigSchema}: where it is in the file, what kind of
 * value it takes and in which unit, its default, the rules its value must follow and a line of documentation. The
 * loader, its messages, the defaults of the topology's own settings and the reference in docs/configuration.md are
 * all made from these.
 */
public final class ConfigKey<T> {
    private final String path;
    private final ValueType<T> type;
    private final Unit unit;
    private final T defaultValue;
    private final String defaultDoc;
    private final String requiredHint;
    private final List<Check<? super T>> checks;
    private final UnaryOperator<T> normalizer;
    private final ConfigKey<?> requires;
    private final boolean secret;
    private final String doc;
    private final BiConsumer<TallyConfig.Builder, T> appliedBy;

    private ConfigKey(Builder<T> b) {
        this.path = b.path;
        this.type = b.type;
        this.unit = b.unit;
        this.defaultValue = b.defaultValue;
        this.defaultDoc = b.defaultDoc;
        this.requiredHint = b.requiredHint;
        this.checks = List.copyOf(b.checks);
        this.normalizer = b.normalizer;
        this.requires = b.requires;
        this.secret = b.secret;
        this.doc = Objects.requireNonNull(b.doc, () -> path + " needs a line of documentation");
        this.appliedBy = b.appliedBy;
    }

    /** Where the key is in the file, dotted: {@code aggregates.dedup_window_ms}. */
    public String path() {
        return path;
    }

    /** The section the key is in ({@code aggregates}), empty for a key at the top of the file. */
    public String section() {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? "" : path.substring(0, dot);
    }

    /** The key's own name within its section ({@code dedup_window_ms}). */
    public String name() {
        return path.substring(path.lastIndexOf('.') + 1);
    }

    public ValueType<T> type() {
        return type;
    }

    public Unit unit() {
        return unit;
    }

    /** Null when the key has no default: it is required, or its absence means something (e.g. no endpoint). */
    public T defaultValue() {
        return defaultValue;
    }

    /** The default as the reference states it, when a value cannot say it (e.g. {@code true with an endpoint}). */
    public String defaultDoc() {
        return defaultDoc;
    }

    /** Required whenever its section is given. */
    public boolean required() {
        return requiredHint != null;
    }

    public List<Check<? super T>> checks() {
        return checks;
    }

    /** The key this one is meaningless without, or null. */
    public ConfigKey<?> requires() {
        return requires;
    }

    /** A password or key: its value is never shown, in messages or anywhere else. */
    public boolean secret() {
        return secret;
    }

    public String doc() {
        return doc;
    }

    /** Reads, normalizes and checks the key's value from its (non-null) node. */
    T read(JsonNode node) {
        T value = type.reader().read(node, this);
        return validate(normalizer == null ? value : normalizer.apply(value));
    }

    /** The value, if it follows every rule of the key; else a {@link ConfigException} naming the key and the rule. */
    public T validate(T value) {
        for (Check<? super T> check : checks) {
            if (!check.holds().test(value)) {
                throw problem(check.problem().apply(show(value)));
            }
        }
        return value;
    }

    /** Whether a given value counts as missing for a required key: blank text or an empty list. */
    boolean isEmpty(Object value) {
        return value == null || value instanceof String s && s.isBlank()
                || value instanceof Collection<?> c && c.isEmpty() || value instanceof Map<?, ?> m && m.isEmpty();
    }

    ConfigException missing() {
        return problem("is required: " + requiredHint);
    }

    ConfigException problem(String problem) {
        return ConfigException.at(path, problem);
    }

    /** A value as a message may show it: quoted text, numbers as they are, secrets never. */
    String show(Object value) {
        if (secret) {
            return "****";
        }
        return value instanceof String text ? "'" + text + "'" : String.valueOf(value);
    }

    /** Hands the key's value to the configuration's builder, for keys that set one of its settings directly. */
    void applyTo(TallyConfig.Builder config, ConfigValues values) {
        if (appliedBy == null) {
            return;
        }
        T value = values.get(this);
        if (value != null) {
            appliedBy.accept(config, value);
        }
    }

    @Override
    public String toString() {
        return path;
    }

    static <T> Builder<T> builder(String path, ValueType<T> type, Consumer<ConfigKey<?>> registry) {
        return new Builder<>(path, type, registry);
    }

    public static final class Builder<T> {
        private final String path;
        private final ValueType<T> type;
        private final Consumer<ConfigKey<?>> registry;
        private Unit unit = Unit.NONE;
        private T defaultValue;
        private String defaultDoc;
        private String requiredHint;
        private final List<Check<? super T>> checks = new ArrayList<>();
        private UnaryOperator<T> normalizer;
        private ConfigKey<?> requires;
        private boolean secret;
        private String doc;
        private BiConsumer<TallyConfig.Builder, T> appliedBy;

        private Builder(String path, ValueType<T> type, Consumer<ConfigKey<?>> registry) {
            this.path = path;
            this.type = type;
            this.registry = registry;
        }

        public Builder<T> unit(Unit unit) {
            this.unit = unit;
            return this;
        }

        public Builder<T> defaultValue(T value) {
            this.defaultValue = value;
            return this;
        }

        /** How the reference states a default that no single value says (it depends, or it is absent). */
        public Builder<T> defaultDoc(String text) {
            this.defaultDoc = text;
            return this;
        }

        /** Required whenever its section is given; {@code hint} completes "is required: ". */
        public Builder<T> required(String hint) {
            this.requiredHint = hint;
            return this;
        }

        public Builder<T> check(Check<? super T> check) {
            this.checks.add(check);
            return this;
        }

        /** Applied to the value as read, before the checks. */
        public Builder<T> normalized(UnaryOperator<T> normalizer) {
            this.normalizer = normalizer;
            return this;
        }

        public Builder<T> requires(ConfigKey<?> other) {
            this.requires = other;
            return this;
        }

        public Builder<T> secret() {
            this.secret = true;
            return this;
        }

        public Builder<T> doc(String doc) {
            this.doc = doc;
            return this;
        }

        /** For a key that sets a setting of {@link TallyConfig.Builder} directly: how. */
        public Builder<T> appliedBy(BiConsumer<TallyConfig.Builder, T> setter) {
            this.appliedBy = setter;
            return this;
        }

        /** The key, registered with the schema. */
        public ConfigKey<T> define() {
            ConfigKey<T> key = new ConfigKey<>(this);
            if (defaultValue != null) {
                key.validate(defaultValue);
            }
            registry.accept(key);
            return key;
        }
    }
}

package io.tally.topology.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The kind of value a key holds, and how it is read from the YAML tree. Scalars given as text are read too, because
 * a {@code ${NAME}} reference always yields text ({@code port: "${PORT}"}).
 *
 * @param name the kind as the reference names it
 * @param reader reads a non-null node for a key, or throws a {@link ConfigException} naming the key
 */
public record ValueType<T>(String name, Reader<T> reader) {

    @FunctionalInterface
    public interface Reader<T> {
        T read(JsonNode node, ConfigKey<?> key);
    }

    public static final ValueType<Integer> INT = new ValueType<>("integer", (node, key) -> {
        long value = readLong(node, key);
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw key.problem("expected an integer up to " + Integer.MAX_VALUE + ", was " + key.show(value));
        }
        return (int) value;
    });

    public static final ValueType<Long> LONG = new ValueType<>("integer", ValueType::readLong);

    public static final ValueType<Boolean> BOOLEAN = new ValueType<>("boolean", (node, key) -> {
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isTextual() && (node.asText().equals("true") || node.asText().equals("false"))) {
            return Boolean.parseBoolean(node.asText());
        }
        throw key.problem("expected true or false" + shownScalar(node, key));
    });

    public static final ValueType<String> STRING = new ValueType<>("string", (node, key) -> {
        if (node.isValueNode()) {
            return node.asText();
        }
        throw key.problem("expected a string");
    });

    public static final ValueType<List<String>> STRING_LIST = new ValueType<>("list of strings", (node, key) -> {
        if (!node.isArray()) {
            throw key.problem("expected a list");
        }
        List<String> values = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            if (!node.get(i).isValueNode() || node.get(i).isNull()) {
                throw new ConfigException(key.path() + "[" + i + "]: expected a string");
            }
            values.add(node.get(i).asText());
        }
        return List.copyOf(values);
    });

    /** A mapping of names to scalar values, kept in the file's order. */
    public static final ValueType<Map<String, String>> STRING_MAP = new ValueType<>("mapping", (node, key) -> {
        if (!node.isObject()) {
            throw key.problem("expected a mapping of keys to values");
        }
        Map<String, String> values = new LinkedHashMap<>();
        var fields = node.fields();
        while (fields.hasNext()) {
            var field = fields.next();
            if (!field.getValue().isValueNode()) {
                throw new ConfigException(key.path() + "." + field.getKey() + ": expected a string");
            }
            values.put(field.getKey(), field.getValue().asText());
        }
        return values;
    });

    public static final ValueType<Instant> INSTANT = new ValueType<>("ISO-8601 date-time", (node, key) -> {
        try {
            return Instant.parse(node.asText());
        } catch (DateTimeParseException e) {
            throw key.problem("must be an ISO-8601 date-time such as 2026-01-01T00:00:00Z, was " + key.show(node.asText()));
        }
    });

    /**
     * A structure with rules of its own (segments, funnels, transform steps), bound by Jackson to the classes that
     * define it; their checks name the full path of what they refuse.
     */
    public static <T> ValueType<T> structure(String name, TypeReference<T> type) {
        return new ValueType<>(name, (node, key) -> {
            ObjectMapper mapper = JacksonErrors.MAPPER;
            JavaType javaType = mapper.getTypeFactory().constructType(type);
            try {
                return mapper.readerFor(javaType).readValue(node);
            } catch (JsonProcessingException e) {
                throw JacksonErrors.describe(key.path(), e);
            } catch (java.io.IOException e) {
                throw key.problem(e.getMessage());
            }
        });
    }

    private static long readLong(JsonNode node, ConfigKey<?> key) {
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.longValue();
        }
        if (node.isTextual()) {
            try {
                return Long.parseLong(node.asText().trim());
            } catch (NumberFormatException e) {
                // falls through to the message below
            }
        }
        throw key.problem("expected an integer" + shownScalar(node, key));
    }

    private static String shownScalar(JsonNode node, ConfigKey<?> key) {
        return node.isValueNode() ? ", was " + key.show(node.asText()) : "";
    }
}

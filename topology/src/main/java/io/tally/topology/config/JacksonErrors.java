package io.tally.topology.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The YAML reader, and Jackson's complaints about a structured value turned into messages that name the key. */
final class JacksonErrors {
    static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private JacksonErrors() {
    }

    /** {@code base} is the key whose value was being bound; Jackson's path within it is appended. */
    static ConfigException describe(String base, JsonProcessingException e) {
        if (!(e instanceof JsonMappingException mapping)) {
            return new ConfigException(base + ": " + e.getOriginalMessage(), e);
        }
        if (e.getCause() instanceof IllegalArgumentException invalid) {
            // Value objects validate themselves and name their key in the message.
            return new ConfigException(invalid.getMessage(), e);
        }
        StringBuilder key = new StringBuilder(base);
        for (JsonMappingException.Reference ref : mapping.getPath()) {
            key.append(ref.getFieldName() != null ? "." + ref.getFieldName() : "[" + ref.getIndex() + "]");
        }
        String at = key.toString();
        if (e instanceof InvalidTypeIdException unknownStep) {
            return ConfigException.at(at, "unknown transform '" + unknownStep.getTypeId() + "' (known: rename_event,"
                    + " normalize_event_names, drop_events, drop_properties, rename_property, derive_property)");
        }
        if (e instanceof UnrecognizedPropertyException unknown) {
            String known = unknown.getKnownPropertyIds() == null ? "" : unknown.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            return ConfigException.at(at, "unknown key" + (known.isEmpty() ? "" : " (known keys here: " + known + ")"));
        }
        if (e instanceof InvalidFormatException format) {
            return ConfigException.at(at, "expected " + typeName(format.getTargetType()) + ", was '" + format.getValue() + "'");
        }
        if (e instanceof MismatchedInputException mismatch) {
            return ConfigException.at(at, "expected " + typeName(mismatch.getTargetType()));
        }
        return ConfigException.at(at, e.getOriginalMessage());
    }

    private static String typeName(Class<?> type) {
        if (type == null) {
            return "another kind of value";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (List.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "a mapping of keys to values";
        }
        return "a " + type.getSimpleName().toLowerCase();
    }
}

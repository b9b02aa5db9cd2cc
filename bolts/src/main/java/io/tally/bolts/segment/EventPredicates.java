package io.tally.bolts.segment;

import io.tally.bolts.event.Event;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoublePredicate;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Compiles one event predicate of a segment rule (a YAML mapping, see {@link CompiledSegments}) into a plain
 * {@link Predicate}, checking it on the way; messages name the path of the mistake.
 *
 * <p>Values are compared as they were sent: {@code equals}, {@code not_equals} and {@code in} compare numbers as
 * numbers (so {@code 3} equals {@code 3.0}) and anything else as text (so {@code true} equals the JSON
 * {@code true}); {@code lt}, {@code lte}, {@code gt} and {@code gte} hold only for numeric values, {@code prefix} only
 * for text. A field that is missing, null, an object or a list matches nothing but {@code exists: false}; in
 * particular {@code not_equals} needs the field (use {@code not: {field: .., equals: ..}} to include events without
 * it).
 */
public final class EventPredicates {
    private static final List<String> NODES = List.of("event", "field", "and", "or", "not");
    private static final List<String> OPERATORS =
            List.of("equals", "not_equals", "in", "exists", "lt", "lte", "gt", "gte", "prefix");
    private static final Set<String> ROOTS = Set.of("properties", "context", "traits");

    private EventPredicates() {
    }

    public static Predicate<Event> compile(Object node, String key) {
        if (!(node instanceof Map<?, ?> map) || map.isEmpty()) {
            throw new IllegalArgumentException(key + ": expected a predicate mapping with one of " + NODES + ", was "
                    + describe(node));
        }
        if (map.containsKey("field")) {
            return field(map, key);
        }
        if (map.size() != 1) {
            throw new IllegalArgumentException(key + ": expected exactly one of " + NODES + ", was " + map.keySet());
        }
        Map.Entry<?, ?> only = map.entrySet().iterator().next();
        String name = String.valueOf(only.getKey());
        Object value = only.getValue();
        return switch (name) {
            case "event" -> eventName(value, key + ".event");
            case "and" -> {
                List<Predicate<Event>> all = list(value, key + ".and");
                yield e -> {
                    for (Predicate<Event> p : all) {
                        if (!p.test(e)) {
                            return false;
                        }
                    }
                    return true;
                };
            }
            case "or" -> {
                List<Predicate<Event>> any = list(value, key + ".or");
                yield e -> {
                    for (Predicate<Event> p : any) {
                        if (p.test(e)) {
                            return true;
                        }
                    }
                    return false;
                };
            }
            case "not" -> compile(value, key + ".not").negate();
            default -> throw new IllegalArgumentException(key + ": unknown operator '" + name + "' (known: "
                    + String.join(", ", NODES) + ")");
        };
    }

    private static Predicate<Event> eventName(Object value, String key) {
        if (value instanceof List<?> names) {
            Set<String> set = new HashSet<>(texts(names, key));
            return e -> set.contains(e.countName());
        }
        String name = text(value, key);
        return e -> e.countName().equals(name);
    }

    private static List<Predicate<Event>> list(Object value, String key) {
        if (!(value instanceof List<?> items) || items.isEmpty()) {
            throw new IllegalArgumentException(key + ": expected a non-empty list of predicates, was " + describe(value));
        }
        List<Predicate<Event>> compiled = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            compiled.add(compile(items.get(i), key + "[" + i + "]"));
        }
        return compiled;
    }

    private static Predicate<Event> field(Map<?, ?> map, String key) {
        Function<Event, Object> field = path(map.get("field"), key + ".field");
        if (map.size() != 2) {
            throw new IllegalArgumentException(key + ": a field comparison needs exactly one operator of " + OPERATORS
                    + ", was " + map.keySet());
        }
        String operator = map.keySet().stream().map(String::valueOf).filter(k -> !k.equals("field")).findFirst()
                .orElseThrow();
        Object operand = map.get(operator);
        String at = key + "." + operator;
        return switch (operator) {
            case "equals" -> {
                Predicate<Object> same = same(scalar(operand, at));
                yield e -> same.test(field.apply(e));
            }
            case "not_equals" -> {
                Predicate<Object> same = same(scalar(operand, at));
                yield e -> {
                    Object value = field.apply(e);
                    return isScalar(value) && !same.test(value);
                };
            }
            case "in" -> {
                if (!(operand instanceof List<?> values) || values.isEmpty()) {
                    throw new IllegalArgumentException(at + ": expected a non-empty list of values, was "
                            + describe(operand));
                }
                List<Predicate<Object>> any = new ArrayList<>();
                for (int i = 0; i < values.size(); i++) {
                    any.add(same(scalar(values.get(i), at + "[" + i + "]")));
                }
                yield e -> {
                    Object value = field.apply(e);
                    for (Predicate<Object> p : any) {
                        if (p.test(value)) {
                            return true;
                        }
                    }
                    return false;
                };
            }
            case "exists" -> {
                if (!(operand instanceof Boolean wanted)) {
                    throw new IllegalArgumentException(at + ": expected true or false, was " + describe(operand));
                }
                yield e -> isScalar(field.apply(e)) == wanted;
            }
            case "lt", "lte", "gt", "gte" -> {
                if (!(operand instanceof Number number)) {
                    throw new IllegalArgumentException(at + ": expected a number, was " + describe(operand));
                }
                double bound = number.doubleValue();
                DoublePredicate compared = switch (operator) {
                    case "lt" -> v -> v < bound;
                    case "lte" -> v -> v <= bound;
                    case "gt" -> v -> v > bound;
                    default -> v -> v >= bound;
                };
                yield e -> field.apply(e) instanceof Number value && compared.test(value.doubleValue());
            }
            case "prefix" -> {
                String prefix = text(operand, at);
                yield e -> field.apply(e) instanceof String value && value.startsWith(prefix);
            }
            default -> throw new IllegalArgumentException(key + ": unknown operator '" + operator + "' (known: "
                    + String.join(", ", OPERATORS) + ")");
        };
    }

    /**
     * Reads the field at {@code path} ({@code event} or a dotted path into properties, context or traits), as rules
     * do; a bad path is refused with a message naming {@code key}. Null when the event has no such field.
     */
    public static Function<Event, Object> field(String path, String key) {
        return path(path, key);
    }

    /** {@code event} (the counted name) or a dotted path into properties, context or traits. */
    private static Function<Event, Object> path(Object value, String key) {
        String path = value instanceof String text ? text : null;
        if ("event".equals(path)) {
            return Event::countName;
        }
        String[] parts = path == null ? new String[0] : path.split("\\.", -1);
        boolean valid = parts.length >= 2 && ROOTS.contains(parts[0]);
        for (int i = 1; valid && i < parts.length; i++) {
            valid = !parts[i].isBlank();
        }
        if (!valid) {
            throw new IllegalArgumentException(key + ": must be 'event' or a dotted path starting with properties.,"
                    + " context. or traits. (e.g. context.os.name), was " + describe(value));
        }
        Function<Event, Map<String, Object>> root = switch (parts[0]) {
            case "properties" -> Event::properties;
            case "context" -> Event::context;
            default -> Event::traits;
        };
        return e -> {
            Object current = root.apply(e);
            for (int i = 1; i < parts.length; i++) {
                if (!(current instanceof Map<?, ?> level)) {
                    return null;
                }
                current = level.get(parts[i]);
            }
            return current;
        };
    }

    /** Whether a field's value equals {@code expected}: numerically when both are numbers, else as text. */
    private static Predicate<Object> same(Object expected) {
        String text = expected.toString();
        boolean numeric = expected instanceof Number;
        double number = numeric ? ((Number) expected).doubleValue() : Double.NaN;
        return value -> numeric && value instanceof Number n
                ? n.doubleValue() == number
                : isScalar(value) && value.toString().equals(text);
    }

    private static boolean isScalar(Object value) {
        return value instanceof String || value instanceof Number || value instanceof Boolean;
    }

    private static Object scalar(Object value, String key) {
        if (!isScalar(value)) {
            throw new IllegalArgumentException(key + ": expected a text, number or boolean value, was "
                    + describe(value));
        }
        return value;
    }

    private static String text(Object value, String key) {
        if (!(value instanceof String text) || text.isEmpty()) {
            throw new IllegalArgumentException(key + ": expected a non-empty text, was " + describe(value));
        }
        return text;
    }

    private static List<String> texts(List<?> values, String key) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException(key + ": expected a non-empty list of names");
        }
        List<String> texts = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            texts.add(text(values.get(i), key + "[" + i + "]"));
        }
        return texts;
    }

    private static String describe(Object value) {
        if (value == null) {
            return "nothing";
        }
        if (value instanceof Map<?, ?>) {
            return "a mapping";
        }
        if (value instanceof List<?>) {
            return "a list";
        }
        return value instanceof String ? "'" + value + "'" : String.valueOf(value);
    }
}

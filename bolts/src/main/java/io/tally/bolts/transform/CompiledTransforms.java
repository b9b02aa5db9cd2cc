package io.tally.bolts.transform;

import io.tally.bolts.event.Event;
import io.tally.bolts.event.EventNames;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A {@link TransformConfig} checked and turned into plain functions once, at start; applying it to an event
 * does no parsing or lookups of the configuration. An invalid configuration is refused with an
 * {@link IllegalArgumentException} whose message names the key, e.g.
 * {@code transforms.steps[2].rename_event.from: must not be empty}.
 */
public final class CompiledTransforms {
    private static final String KEY = "transforms.steps";

    private final List<UnaryOperator<Event>> steps;
    private final List<String> descriptions;
    private final List<String> breakdownProperties;
    private final Set<String> droppedProperties;

    private CompiledTransforms(List<UnaryOperator<Event>> steps, List<String> descriptions,
            List<String> breakdownProperties, Set<String> droppedProperties) {
        this.steps = List.copyOf(steps);
        this.descriptions = List.copyOf(descriptions);
        this.breakdownProperties = List.copyOf(breakdownProperties);
        this.droppedProperties = Set.copyOf(droppedProperties);
    }

    /** What became of an event: the transformed event, or the rule that dropped it. */
    public record Outcome(Event event, String droppedBy) {
        public boolean dropped() {
            return event == null;
        }
    }

    public static CompiledTransforms compile(TransformConfig config) {
        List<UnaryOperator<Event>> steps = new ArrayList<>();
        List<String> descriptions = new ArrayList<>();
        Set<String> droppedProperties = new HashSet<>();
        for (int i = 0; i < config.steps().size(); i++) {
            TransformStep step = config.steps().get(i);
            String key = KEY + "[" + i + "]";
            if (step == null) {
                throw new IllegalArgumentException(key + ": is empty; expected one of rename_event, "
                        + "normalize_event_names, drop_events, drop_properties, rename_property, derive_property");
            }
            steps.add(compile(step, key + "." + step.kind()));
            if (step instanceof TransformStep.DropProperties drop) {
                droppedProperties.addAll(drop.names());
            }
            descriptions.add(key + " (" + step.kind() + ")");
        }
        for (int i = 0; i < config.breakdownProperties().size(); i++) {
            requireText(config.breakdownProperties().get(i), "transforms.breakdown_properties[" + i + "]");
        }
        return new CompiledTransforms(steps, descriptions, config.breakdownProperties(), droppedProperties);
    }

    public Outcome apply(Event event) {
        Event current = event;
        for (int i = 0; i < steps.size(); i++) {
            current = steps.get(i).apply(current);
            if (current == null) {
                return new Outcome(null, descriptions.get(i));
            }
        }
        return new Outcome(current, null);
    }

    /** Every property name a {@code drop_properties} step drops. */
    public Set<String> droppedProperties() {
        return droppedProperties;
    }

    /** The allowlist of properties counts may be broken down by. */
    public List<String> breakdownProperties() {
        return breakdownProperties;
    }

    private static UnaryOperator<Event> compile(TransformStep step, String key) {
        if (step instanceof TransformStep.RenameEvent rename) {
            String from = requireText(rename.from(), key + ".from");
            String to = requireText(rename.to(), key + ".to");
            if (EventNames.isReserved(to)) {
                throw new IllegalArgumentException(key + ".to: '" + to + "' is reserved (the all-events total and"
                        + " active users are counted under it), so no event may be renamed to it");
            }
            return e -> e.countName().equals(from) ? e.withCountName(to) : e;
        } else if (step instanceof TransformStep.NormalizeEventNames normalize) {
            String letterCase = requireText(normalize.letterCase(), key + ".case").toLowerCase(Locale.ROOT);
            UnaryOperator<String> change = switch (letterCase) {
                case "lower" -> name -> name.toLowerCase(Locale.ROOT);
                case "upper" -> name -> name.toUpperCase(Locale.ROOT);
                case "title" -> CompiledTransforms::titleCase;
                default -> throw new IllegalArgumentException(key + ".case: must be lower, upper or title, was '"
                        + normalize.letterCase() + "'");
            };
            return e -> {
                String changed = change.apply(e.countName());
                return changed.equals(e.countName()) ? e : e.withCountName(changed);
            };
        } else if (step instanceof TransformStep.DropEvents drop) {
            Set<String> names = requireNames(drop.names(), key + ".names");
            String property = drop.whenProperty();
            if ((property == null) != (drop.equalsValue() == null)) {
                throw new IllegalArgumentException(key + ": when_property and equals go together");
            }
            String value = drop.equalsValue();
            return property == null
                    ? e -> names.contains(e.countName()) ? null : e
                    : e -> names.contains(e.countName())
                            && value.equals(String.valueOf(e.properties().get(property))) ? null : e;
        } else if (step instanceof TransformStep.DropProperties drop) {
            Set<String> names = requireNames(drop.names(), key + ".names");
            return e -> {
                if (names.stream().noneMatch(e.properties()::containsKey)) {
                    return e;
                }
                Map<String, Object> kept = new LinkedHashMap<>(e.properties());
                kept.keySet().removeAll(names);
                return e.withProperties(kept);
            };
        } else if (step instanceof TransformStep.RenameProperty rename) {
            String from = requireText(rename.from(), key + ".from");
            String to = requireText(rename.to(), key + ".to");
            return e -> {
                if (!e.properties().containsKey(from)) {
                    return e;
                }
                Map<String, Object> renamed = new LinkedHashMap<>(e.properties());
                renamed.put(to, renamed.remove(from));
                return e.withProperties(renamed);
            };
        } else if (step instanceof TransformStep.DeriveProperty derive) {
            String name = requireText(derive.name(), key + ".name");
            String from = requireText(derive.from(), key + ".from");
            String[] path = from.split("\\.");
            String root = path[0];
            if (path.length < 2 || !Set.of("context", "traits", "properties").contains(root)) {
                throw new IllegalArgumentException(key + ".from: must be a dotted path starting with context.,"
                        + " traits. or properties., was '" + from + "'");
            }
            return e -> {
                if (e.properties().containsKey(name)) {
                    return e;
                }
                Object value = lookUp(switch (root) {
                    case "context" -> e.context();
                    case "traits" -> e.traits();
                    default -> e.properties();
                }, path);
                if (value == null || value instanceof Map || value instanceof List) {
                    return e;
                }
                Map<String, Object> derived = new LinkedHashMap<>(e.properties());
                derived.put(name, value);
                return e.withProperties(derived);
            };
        }
        throw new IllegalArgumentException(key + ": unknown transform");
    }

    private static Object lookUp(Map<String, Object> map, String[] path) {
        Object current = map;
        for (int i = 1; i < path.length; i++) {
            if (!(current instanceof Map<?, ?> level)) {
                return null;
            }
            current = level.get(path[i]);
        }
        return current;
    }

    private static String titleCase(String name) {
        StringBuilder out = new StringBuilder(name.length());
        boolean wordStart = true;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            out.append(wordStart ? Character.toUpperCase(c) : Character.toLowerCase(c));
            wordStart = Character.isWhitespace(c) || c == '_' || c == '-';
        }
        return out.toString();
    }

    private static String requireText(String value, String key) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(key + ": must not be empty");
        }
        return value;
    }

    private static Set<String> requireNames(List<String> names, String key) {
        if (names == null || names.isEmpty()) {
            throw new IllegalArgumentException(key + ": must list at least one name");
        }
        for (int i = 0; i < names.size(); i++) {
            requireText(names.get(i), key + "[" + i + "]");
        }
        return Set.copyOf(names);
    }
}

package io.tally.bolts.journey;

import io.tally.bolts.event.Event;
import io.tally.bolts.segment.DefinitionNames;
import io.tally.bolts.segment.EventPredicates;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The {@code funnels} section checked and compiled once per task. A mistake is refused with an
 * {@link IllegalArgumentException} that names its path, e.g. {@code funnels[0].steps[2]: unknown operator 'equal'}.
 */
public final class CompiledFunnels {
    public static final int MIN_STEPS = 2;
    public static final int MAX_STEPS = 10;
    public static final int DEFAULT_WINDOW_DAYS = 7;
    public static final int MAX_WINDOW_DAYS = 366;
    private static final String KEY = "funnels";

    private final List<Funnel> funnels;

    private CompiledFunnels(List<Funnel> funnels) {
        this.funnels = funnels;
    }

    /** One funnel ready to run. */
    public record Funnel(String name, List<Predicate<Event>> steps, int windowDays) {
        /** The steps {@code event} matches as bits, step 1 the lowest; 0 when it matches none. */
        public int stepMask(Event event) {
            int mask = 0;
            for (int i = 0; i < steps.size(); i++) {
                if (steps.get(i).test(event)) {
                    mask |= 1 << i;
                }
            }
            return mask;
        }

        public long windowMillis() {
            return windowDays * 86_400_000L;
        }
    }

    public static CompiledFunnels compile(List<FunnelDefinition> definitions) {
        return new CompiledFunnels(List.copyOf(DefinitionNames.compileAll(definitions, KEY,
                "{name: ..., steps: [...], window_days: N}", "funnel", FunnelDefinition::name,
                CompiledFunnels::funnel)));
    }

    private static Funnel funnel(FunnelDefinition definition, String name, String key) {
        List<Object> steps = definition.steps();
        if (steps == null || steps.size() < MIN_STEPS || steps.size() > MAX_STEPS) {
            throw new IllegalArgumentException(key + ".steps: must be a list of " + MIN_STEPS + " to " + MAX_STEPS
                    + " event predicates, was " + (steps == null ? "missing" : steps.size() + " steps"));
        }
        List<Predicate<Event>> compiled = new ArrayList<>();
        for (int s = 0; s < steps.size(); s++) {
            compiled.add(EventPredicates.compile(steps.get(s), key + ".steps[" + s + "]"));
        }
        Integer window = definition.windowDays();
        if (window != null && (window < 1 || window > MAX_WINDOW_DAYS)) {
            throw new IllegalArgumentException(key + ".window_days: must be 1 to " + MAX_WINDOW_DAYS + ", was "
                    + window);
        }
        return new Funnel(name, List.copyOf(compiled), window == null ? DEFAULT_WINDOW_DAYS : window);
    }

    public List<Funnel> funnels() {
        return funnels;
    }
}

package io.tally.bolts.segment;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/** The rule every named definition of the configuration (segment, funnel, retention) follows for its name. */
public final class DefinitionNames {
    private DefinitionNames() {
    }

    /**
     * Checks the name of the definition at {@code key} ({@code segments[2]}): 1 to 100 letters, digits, '_', '-' or
     * '.', starting with a letter or digit, and not among {@code taken}; {@code kind} names the definition in the
     * message. Returns the name.
     */
    public static String check(String name, String key, Collection<String> taken, String kind) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")) {
            throw new IllegalArgumentException(key + ".name: must be 1 to 100 letters, digits, '_', '-' or '.'"
                    + " (starting with a letter or digit), was " + (name == null ? "missing" : "'" + name + "'"));
        }
        if (taken.contains(name)) {
            throw new IllegalArgumentException(key + ".name: duplicate " + kind + " name '" + name + "'");
        }
        return name;
    }

    /** Compiles one definition whose name has been checked; {@code key} is its path ({@code funnels[0]}). */
    @FunctionalInterface
    public interface Compiler<D, C> {
        C compile(D definition, String name, String key);
    }

    /**
     * Compiles the definitions of the section {@code section} in order: each must be there ({@code expected} shows
     * its form in the message) and carry a name no earlier one has ({@link #check}).
     */
    public static <D, C> List<C> compileAll(List<D> definitions, String section, String expected, String kind,
            Function<D, String> nameOf, Compiler<D, C> compiler) {
        List<C> compiled = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < definitions.size(); i++) {
            String key = section + "[" + i + "]";
            D definition = definitions.get(i);
            if (definition == null) {
                throw new IllegalArgumentException(key + ": is empty; expected " + expected);
            }
            String name = check(nameOf.apply(definition), key, names, kind);
            names.add(name);
            compiled.add(compiler.compile(definition, name, key));
        }
        return compiled;
    }
}

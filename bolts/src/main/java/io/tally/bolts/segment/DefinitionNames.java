package io.tally.bolts.segment;

import java.util.Collection;

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
}

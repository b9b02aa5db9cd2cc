package io.tally.topology.config;

import java.util.List;

/**
 * A mapping of keys in {@code tally.yaml}, e.g. {@code kafka} or {@code cassandra.ssl}.
 *
 * @param path dotted, as its keys start
 * @param doc one line for the reference
 * @param aliases other names the section may be given under (at most one of them in a file)
 * @param flag the name of the boolean key that the section may be given as instead of a mapping
 *     ({@code ssl: true}); given as a mapping, that key is true unless set. Null for other sections
 * @param readElsewhere the section belongs to another program (the collector reads {@code collector}); its
 *     contents are left to it
 */
public record ConfigSection(String path, String doc, List<String> aliases, String flag, String readElsewhere) {

    public ConfigSection {
        aliases = List.copyOf(aliases);
    }

    /** The section this one is in; empty at the top of the file. */
    public String parent() {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? "" : path.substring(0, dot);
    }

    public String name() {
        return path.substring(path.lastIndexOf('.') + 1);
    }
}

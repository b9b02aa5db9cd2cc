package io.tally.topology.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes the reference of every {@code tally.yaml} key, from {@link TallyConfigSchema}, into docs/configuration.md
 * between its two marker lines. The build's ConfigReferenceTest fails while the checked-in page differs.
 *
 * <p>Run: {@code java -cp <topology classpath> io.tally.topology.config.ConfigReference docs/configuration.md}, or
 * the test with {@code -Dtally.writeReference=true}.
 */
public final class ConfigReference {
    public static final String BEGIN = "<!-- BEGIN configuration reference: generated from TallyConfigSchema by"
            + " ConfigReference; do not edit by hand -->";
    public static final String END = "<!-- END configuration reference -->";

    private ConfigReference() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ConfigReference <path of docs/configuration.md>");
            System.exit(2);
        }
        Path page = Path.of(args[0]);
        Files.writeString(page, withReference(Files.readString(page)));
        System.out.println("wrote the configuration reference into " + page);
    }

    /** The page with the text between its markers replaced by the reference. */
    public static String withReference(String page) {
        int begin = page.indexOf(BEGIN);
        int end = page.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("the page has no '" + BEGIN + "' ... '" + END + "' block");
        }
        return page.substring(0, begin) + BEGIN + "\n" + markdown() + END + page.substring(end + END.length());
    }

    /** The reference: one table a section, every key with its type, unit, default, rules and meaning. */
    public static String markdown() {
        StringBuilder out = new StringBuilder();
        for (ConfigSection section : TallyConfigSchema.sections()) {
            List<ConfigKey<?>> keys = TallyConfigSchema.keys().stream()
                    .filter(k -> k.section().equals(section.path())).toList();
            out.append("\n#### `").append(section.path()).append('`');
            if (!section.aliases().isEmpty()) {
                out.append(" (or `").append(String.join("`, `", section.aliases())).append("`)");
            }
            out.append("\n\n").append(capitalized(section.doc())).append(".\n");
            if (section.readElsewhere() != null) {
                out.append("Its keys are read and checked by ").append(section.readElsewhere()).append(".\n");
            }
            table(out, keys);
        }
        out.append("\n#### Lists at the top of the file\n");
        table(out, TallyConfigSchema.keys().stream().filter(k -> k.section().isEmpty()).toList());
        out.append('\n');
        return out.toString();
    }

    private static void table(StringBuilder out, List<ConfigKey<?>> keys) {
        if (keys.isEmpty()) {
            return;
        }
        out.append("\n| key | type | default | allowed | meaning |\n|---|---|---|---|---|\n");
        for (ConfigKey<?> key : keys) {
            out.append("| `").append(key.path()).append("` | ").append(type(key)).append(" | ")
                    .append(defaultOf(key)).append(" | ").append(allowed(key)).append(" | ")
                    .append(cell(key.doc())).append(key.secret() ? "; a secret, never shown" : "").append(" |\n");
        }
    }

    private static String type(ConfigKey<?> key) {
        return key.type().name() + (key.unit() == Unit.NONE ? "" : " (" + key.unit().symbol() + ")");
    }

    private static String defaultOf(ConfigKey<?> key) {
        if (key.required()) {
            return "(required)";
        }
        if (key.defaultDoc() != null) {
            return cell(key.defaultDoc());
        }
        Object value = key.defaultValue();
        if (value == null) {
            return "none";
        }
        String gloss = key.unit().gloss(value);
        return "`" + render(value) + "`" + (gloss.isEmpty() ? "" : " (" + gloss + ")");
    }

    private static String render(Object value) {
        if (value instanceof List<?> list) {
            return list.stream().map(ConfigReference::render).collect(Collectors.joining(", ", "[", "]"));
        }
        if (value instanceof Map<?, ?> map) {
            return map.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                    .collect(Collectors.joining(", ", "{", "}"));
        }
        return String.valueOf(value);
    }

    private static String allowed(ConfigKey<?> key) {
        String rules = key.checks().stream().map(Check::allowed).collect(Collectors.joining("; "));
        if (key.requires() != null) {
            rules = (rules.isEmpty() ? "" : rules + "; ") + "needs `" + key.requires().path() + "`";
        }
        return rules.isEmpty() ? "" : cell(rules);
    }

    private static String cell(String text) {
        return text.replace("|", "\\|");
    }

    private static String capitalized(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
}

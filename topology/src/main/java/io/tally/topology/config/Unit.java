package io.tally.topology.config;

/**
 * The unit a numeric key is given in. A key's name ends with its unit's suffix ({@code _ms}, {@code _secs},
 * {@code _days}, {@code _bytes}, {@code _mb}), so a reader of {@code tally.yaml} never has to guess; the schema test
 * holds every key to it.
 */
public enum Unit {
    NONE("", ""),
    MILLISECONDS("ms", "_ms"),
    SECONDS("s", "_secs"),
    DAYS("days", "_days"),
    BYTES("bytes", "_bytes"),
    MEBIBYTES("MiB", "_mb");

    private final String symbol;
    private final String keySuffix;

    Unit(String symbol, String keySuffix) {
        this.symbol = symbol;
        this.keySuffix = keySuffix;
    }

    /** As written after a number in the reference, e.g. {@code ms}; empty for {@link #NONE}. */
    public String symbol() {
        return symbol;
    }

    /** The ending every key in this unit has; empty for {@link #NONE}. */
    public String keySuffix() {
        return keySuffix;
    }

    /** A reader's gloss of a default, e.g. {@code 8 days} for 691200000 ms; empty when the number says it all. */
    String gloss(Object value) {
        if (!(value instanceof Number number)) {
            return "";
        }
        long n = number.longValue();
        return switch (this) {
            case MILLISECONDS -> n >= 60_000 ? human(n / 1000) : "";
            case SECONDS -> n >= 60 ? human(n) : "";
            case BYTES -> n >= 1024 && n % 1024 == 0 ? (n % (1 << 20) == 0 ? n / (1 << 20) + " MiB" : n / 1024 + " KiB") : "";
            default -> "";
        };
    }

    private static String human(long seconds) {
        if (seconds % 86_400 == 0) {
            return plural(seconds / 86_400, "day");
        }
        if (seconds % 3_600 == 0) {
            return plural(seconds / 3_600, "hour");
        }
        if (seconds % 60 == 0) {
            return plural(seconds / 60, "minute");
        }
        return "";
    }

    private static String plural(long n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }
}

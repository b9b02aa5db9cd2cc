package io.tally.collector;

import java.util.Locale;

/** The paths of Segment's HTTP Tracking API; each single-call path stands for one message type. */
public enum Endpoint {
    TRACK, IDENTIFY, PAGE, SCREEN, GROUP, ALIAS,
    /** A list of messages of any types under {@code batch}. */
    BATCH,
    /** The same as {@link #BATCH}: the path Segment's analytics-java posts its batches to. */
    IMPORT;

    /**
     * The endpoint of a request path such as {@code /v1/track}, or null when there is none. A trailing slash is
     * allowed: analytics-java posts to {@code /v1/import/}.
     */
    public static Endpoint ofPath(String path) {
        if (!path.startsWith("/v1/")) {
            return null;
        }
        String name = path.length() > 4 && path.endsWith("/") ? path.substring(4, path.length() - 1) : path.substring(4);
        return switch (name) {
            case "track" -> TRACK;
            case "identify" -> IDENTIFY;
            case "page" -> PAGE;
            case "screen" -> SCREEN;
            case "group" -> GROUP;
            case "alias" -> ALIAS;
            case "batch" -> BATCH;
            case "import" -> IMPORT;
            default -> null;
        };
    }

    public boolean isBatch() {
        return this == BATCH || this == IMPORT;
    }

    /** The {@code type} every message to this path has; null for batches, whose messages name their own. */
    public String messageType() {
        return isBatch() ? null : name().toLowerCase(Locale.ROOT);
    }

    public String path() {
        return "/v1/" + name().toLowerCase(Locale.ROOT);
    }
}

package io.tally.collector;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;

/** The configured write keys, each naming a source, and how a request presents one. */
final class WriteKeys {
    private final Map<String, String> sourcesByKey;

    WriteKeys(Map<String, String> sourcesByKey) {
        this.sourcesByKey = Map.copyOf(sourcesByKey);
    }

    /**
     * The source an {@code Authorization} header stands for: HTTP Basic with the write key as user name (Segment's
     * libraries send an empty password; a password is not checked). Null when the header is absent.
     */
    String sourceOfHeader(String authorization) throws RequestRefused {
        if (authorization == null || authorization.isBlank()) {
            return null;
        }
        String value = authorization.strip();
        if (value.length() < 6 || !value.substring(0, 6).toLowerCase(Locale.ROOT).equals("basic ")) {
            throw new RequestRefused(Refusal.UNAUTHORIZED,
                    "the Authorization header must be HTTP Basic with the write key as user name");
        }
        String credentials;
        try {
            credentials = new String(Base64.getDecoder().decode(value.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notBase64) {
            throw new RequestRefused(Refusal.UNAUTHORIZED, "the Authorization header's credentials are not base64");
        }
        int colon = credentials.indexOf(':');
        return sourceOf(colon < 0 ? credentials : credentials.substring(0, colon));
    }

    /** The source a write key stands for; unknown keys are refused without being echoed (they may be secrets). */
    String sourceOf(String writeKey) throws RequestRefused {
        String source = writeKey == null ? null : sourcesByKey.get(writeKey);
        if (source == null) {
            throw new RequestRefused(Refusal.UNAUTHORIZED, writeKey == null || writeKey.isEmpty()
                    ? "no write key: send it as the HTTP Basic user name or as writeKey in the body"
                    : "unknown write key");
        }
        return source;
    }
}

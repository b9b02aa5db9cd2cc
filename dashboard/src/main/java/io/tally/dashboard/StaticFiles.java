package io.tally.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pages, scripts and the chart library, read from the jar once and kept. Only names under the two roots are
 * served, and only names made of plain path characters, so no request reaches another resource of the classpath.
 */
final class StaticFiles {
    private static final String PAGES = "io/tally/dashboard/static/";
    private static final String WEBJARS = "META-INF/resources/webjars/";
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8", "svg", "image/svg+xml", "ico", "image/x-icon");

    record File(String contentType, byte[] bytes) {
    }

    private final Map<String, Optional<File>> cache = new ConcurrentHashMap<>();

    /** The file for a request path such as {@code /}, {@code /explorer}, {@code /app.js} or {@code /webjars/…}. */
    Optional<File> find(String path) {
        if (!path.matches("/[A-Za-z0-9._/-]*") || path.contains("..") || path.contains("//")) {
            return Optional.empty();
        }
        String resource;
        if (path.startsWith("/webjars/")) {
            resource = WEBJARS + path.substring("/webjars/".length());
        } else {
            String name = path.equals("/") ? "overview.html" : path.substring(1);
            resource = PAGES + (name.contains(".") ? name : name + ".html");
        }
        return cache.computeIfAbsent(resource, StaticFiles::load);
    }

    private static Optional<File> load(String resource) {
        String extension = resource.substring(resource.lastIndexOf('.') + 1);
        String type = TYPES.get(extension);
        if (type == null) {
            return Optional.empty();
        }
        try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? Optional.empty() : Optional.of(new File(type, in.readAllBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

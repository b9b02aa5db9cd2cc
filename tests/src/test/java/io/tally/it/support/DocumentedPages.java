package io.tally.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The pages whose examples the documentation tests run: README.md, then docs/ and deploy/'s Markdown, by name. */
public final class DocumentedPages {
    private DocumentedPages() {
    }

    /** @return each page's path relative to {@code root}, the repository's top folder */
    public static List<String> under(Path root) throws IOException {
        List<String> pages = new ArrayList<>(List.of("README.md"));
        for (String folder : List.of("docs", "deploy")) {
            try (Stream<Path> files = Files.list(root.resolve(folder))) {
                files.filter(file -> file.toString().endsWith(".md")).sorted()
                        .forEach(file -> pages.add(folder + "/" + file.getFileName()));
            }
        }
        return pages;
    }
}

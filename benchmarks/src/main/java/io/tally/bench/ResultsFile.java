package io.tally.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code --json} option of the benchmarks that keep their numbers: where the results go, written as JSON. Each
 * benchmark names its default file by initialising its {@code @Mixin} field with one.
 */
final class ResultsFile {
    @Option(names = "--json", paramLabel = "FILE", description = "Where to write the results as JSON (default: "
            + "${DEFAULT-VALUE}).")
    Path file;

    ResultsFile(String defaultFile) {
        this.file = Path.of(defaultFile);
    }

    /** Writes the results and says where. */
    void write(Object results) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(file.toFile(), results);
        System.out.println("Results written to " + file.toAbsolutePath());
    }
}

package io.tally.query;

import java.util.List;

/**
 * The answer to a query that returns records rather than one number per bucket (the members of a segment, the
 * segments of a user): named columns, rows of text in column order.
 */
public record Listing(String title, List<String> columns, List<List<String>> rows) {

    public Listing {
        columns = List.copyOf(columns);
        rows = rows.stream().map(List::copyOf).toList();
    }
}

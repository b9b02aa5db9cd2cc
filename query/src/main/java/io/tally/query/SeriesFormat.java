package io.tally.query;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * How a {@link Series} is printed: an aligned table with a bar per row, CSV, or JSON; and a {@link Listing}: aligned
 * columns, CSV, or a JSON array of objects.
 */
public enum SeriesFormat {
    TABLE {
        @Override
        public String render(Series series) {
            int labelWidth = Math.max(series.label().length(),
                    series.points().stream().mapToInt(p -> p.label().length()).max().orElse(0));
            long max = series.points().stream().mapToLong(Series.Point::value).max().orElse(0);
            int valueWidth = Math.max(5, String.format("%,d", Math.max(max, series.total())).length());
            StringBuilder out = new StringBuilder(series.title()).append('\n');
            out.append(String.format("%-" + labelWidth + "s  %" + valueWidth + "s%n", series.label(), "count"));
            for (Series.Point point : series.points()) {
                int bar = max == 0 ? 0 : (int) Math.round(BAR_WIDTH * (double) point.value() / max);
                out.append(String.format("%-" + labelWidth + "s  %," + valueWidth + "d  %s%n",
                        point.label(), point.value(), "#".repeat(bar)));
            }
            if (series.summable()) {
                out.append(String.format("%-" + labelWidth + "s  %," + valueWidth + "d%n", "total", series.total()));
            }
            return out.toString();
        }

        @Override
        public String render(Listing listing) {
            int[] widths = new int[listing.columns().size()];
            List<List<String>> lines = new ArrayList<>();
            lines.add(listing.columns());
            lines.addAll(listing.rows());
            lines.forEach(line -> {
                for (int i = 0; i < widths.length; i++) {
                    widths[i] = Math.max(widths[i], line.get(i).length());
                }
            });
            StringBuilder out = new StringBuilder(listing.title()).append('\n');
            for (List<String> line : lines) {
                StringBuilder text = new StringBuilder();
                for (int i = 0; i < widths.length; i++) {
                    text.append(String.format("%-" + widths[i] + "s  ", line.get(i)));
                }
                out.append(text.toString().stripTrailing()).append('\n');
            }
            return out.append(listing.rows().size()).append(listing.rows().size() == 1 ? " row" : " rows").append('\n')
                    .toString();
        }
    },
    CSV {
        @Override
        public String render(Series series) {
            StringBuilder out = new StringBuilder(series.label()).append(",count\n");
            for (Series.Point point : series.points()) {
                out.append(quoted(point.label())).append(',').append(point.value()).append('\n');
            }
            return out.toString();
        }

        @Override
        public String render(Listing listing) {
            StringBuilder out = new StringBuilder(String.join(",", listing.columns())).append('\n');
            for (List<String> row : listing.rows()) {
                out.append(row.stream().map(this::quoted).collect(Collectors.joining(","))).append('\n');
            }
            return out.toString();
        }

        private String quoted(String text) {
            return text.contains(",") || text.contains("\"") || text.contains("\n")
                    ? "\"" + text.replace("\"", "\"\"") + "\"" : text;
        }
    },
    JSON {
        @Override
        public String render(Series series) {
            ObjectMapper json = new ObjectMapper();
            ObjectNode root = json.createObjectNode().put("title", series.title());
            if (series.summable()) {
                root.put("total", series.total());
            }
            ArrayNode points = root.putArray("points");
            series.points().forEach(p -> points.addObject().put(series.label(), p.label()).put("count", p.value()));
            return pretty(json, root);
        }

        @Override
        public String render(Listing listing) {
            ObjectMapper json = new ObjectMapper();
            ObjectNode root = json.createObjectNode().put("title", listing.title());
            ArrayNode rows = root.putArray("rows");
            for (List<String> row : listing.rows()) {
                ObjectNode object = rows.addObject();
                for (int i = 0; i < row.size(); i++) {
                    object.put(listing.columns().get(i), row.get(i));
                }
            }
            return pretty(json, root);
        }

        private String pretty(ObjectMapper json, ObjectNode root) {
            try {
                return json.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a tree of strings and numbers always serializes", e);
            }
        }
    };

    private static final int BAR_WIDTH = 40;

    public abstract String render(Series series);

    public abstract String render(Listing listing);
}

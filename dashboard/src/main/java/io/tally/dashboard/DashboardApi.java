package io.tally.dashboard;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tally.query.DashboardQueries;
import io.tally.query.FunnelQueries;
import io.tally.query.Granularity;
import io.tally.query.Listing;
import io.tally.query.QueryException;
import io.tally.query.RetentionQueries;
import io.tally.query.SegmentQueries;
import io.tally.query.Series;
import io.tally.query.SeriesQueries;
import io.tally.query.dashboard.DashboardSettings;
import io.tally.state.schema.TallyTables;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's JSON API: named queries with bound parameters, nothing else. Each answer is JSON (or CSV with
 * {@code format=csv}): a chart as {@code x} labels and named {@code series} of values, a table as {@code columns}
 * and {@code rows}. A range with nothing in it is an answer ({@code empty: true} with a message), a bad parameter is
 * 400 with what was wrong, and Cassandra not answering is 503 (the pages show a banner and ask again).
 */
public final class DashboardApi {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardApi.class);
    private static final Set<String> RANGE = Set.of("from", "to", "last", "format");

    /** The answer to one request: status, media type and body. */
    public record Answer(int status, String contentType, String body) {
    }

    private final Supplier<CqlSession> session;
    private final String keyspace;
    private final DashboardSettings settings;
    private final StatusSource status;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    private volatile Queries queries;

    private record Queries(CqlSession session, SeriesQueries series, SegmentQueries segments,
            DashboardQueries dashboard, FunnelQueries funnels, RetentionQueries retention) {
    }

    /**
     * @param session the session to Cassandra, asked for on each request until it is had (so the dashboard starts,
     *     and says so, while Cassandra is down); may throw {@link DriverException}
     */
    public DashboardApi(Supplier<CqlSession> session, String keyspace, DashboardSettings settings,
            StatusSource status, Clock clock) {
        this.session = session;
        this.keyspace = keyspace;
        this.settings = settings;
        this.status = status;
        this.clock = clock;
    }

    /** Answers {@code /api/<name>} with the given query-string parameters. */
    public Answer answer(String name, Map<String, List<String>> parameters) {
        boolean csv = "csv".equals(parameters.getOrDefault("format", List.of("json")).get(0));
        try {
            Object result = run(name, parameters);
            if (csv) {
                return new Answer(200, "text/csv; charset=utf-8", Csv.of(result));
            }
            return new Answer(200, "application/json", json.writeValueAsString(toJson(result)));
        } catch (BadRequest e) {
            return error(400, e.getMessage());
        } catch (DriverException e) {
            LOG.warn("Cassandra did not answer {}: {}", name, e.getMessage());
            return error(503, "Cassandra is not answering (" + e.getClass().getSimpleName() + "); the page retries"
                    + " by itself");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Object run(String name, Map<String, List<String>> parameters) {
        return switch (name) {
            case "events" -> names(name, parameters, "events", "event", () -> queries().dashboard().eventNames());
            case "segments" -> names(name, parameters, "segments", "segment",
                    () -> queries().dashboard().segmentNames());
            case "properties" -> names(name, parameters, "breakdown properties", "property",
                    settings::breakdownProperties);
            case "counts" -> {
                Params p = params(name, parameters, Set.of("event", "granularity"));
                Granularity g = p.granularity(Granularity.HOUR);
                Params.Range r = range(p, g);
                String event = p.name("event", TallyTables.ALL_EVENTS);
                yield orEmpty(() -> chart(queries().series().counts(event, r.from(), r.to(), g)));
            }
            case "users" -> {
                Params p = params(name, parameters, Set.of("event"));
                Params.Range r = range(p, Granularity.DAY);
                String event = p.name("event", TallyTables.ALL_EVENTS);
                yield orEmpty(() -> chart(queries().series().uniqueUsers(event, r.from(), r.to())));
            }
            case "breakdown" -> {
                Params p = params(name, parameters, Set.of("event", "property", "granularity"));
                Granularity g = p.granularity(Granularity.HOUR);
                if (g == Granularity.MINUTE) {
                    throw new BadRequest("breakdowns are kept per hour and per day, not per minute");
                }
                Params.Range r = range(p, g);
                String event = p.name("event", TallyTables.ALL_EVENTS);
                String property = p.name("property", null);
                if (!settings.breakdownProperties().contains(property)) {
                    throw new BadRequest("'" + Params.printable(property) + "' is not a breakdown property (allowed:"
                            + " " + settings.breakdownProperties() + ", from transforms.breakdown_properties)");
                }
                List<Series> values = queries().dashboard().breakdownOverTime(event, property, r.from(), r.to(), g);
                if (values.isEmpty()) {
                    yield Chart.empty("no breakdown of '" + event + "' by '" + property + "' from " + r.from()
                            + " to " + r.to());
                }
                yield new Chart("events '" + event + "' by " + property, values.get(0).label(),
                        values.get(0).points().stream().map(Series.Point::label).toList(), values.stream()
                        .map(s -> new Chart.Line(s.title(), s.points().stream().map(Series.Point::value).toList()))
                        .toList(), true, null);
            }
            case "top-events" -> {
                Params p = params(name, parameters, Set.of("limit"));
                int limit = p.integer("limit", 10, 1, 500);
                Params.Range r = range(p, Granularity.DAY);
                yield orEmpty(() -> nonEmpty(chart(queries().dashboard().topEvents(r.from(), r.to(), limit)),
                        "no events from " + r.from() + " to " + r.to()));
            }
            case "rejects" -> {
                Params p = params(name, parameters, Set.of());
                Params.Range r = range(p, Granularity.HOUR);
                yield orEmpty(() -> nonEmpty(chart(queries().dashboard().rejectsByReason(r.from(), r.to())),
                        "no records rejected from " + r.from() + " to " + r.to()));
            }
            case "segment-sizes" -> {
                Params p = params(name, parameters, Set.of("segment", "total"));
                Params.Range r = range(p, Granularity.DAY);
                String segment = p.name("segment", null);
                boolean total = p.flag("total");
                yield orEmpty(() -> chart(queries().segments().sizes(segment, r.from(), r.to(), total)));
            }
            case "segment-members" -> {
                Params p = params(name, parameters, Set.of("segment", "after", "limit"));
                String segment = p.name("segment", null);
                String after = p.name("after", "");
                int limit = p.integer("limit", 50, 1, 1_000);
                yield queries().dashboard().members(segment, after, limit);
            }
            case "user-segments" -> {
                Params p = params(name, parameters, Set.of("user"));
                String user = p.name("user", null);
                yield orEmpty(() -> queries().segments().userSegments(user));
            }
            case "funnels" -> names(name, parameters, "funnels", "funnel",
                    () -> queries().dashboard().funnelNames());
            case "retentions" -> names(name, parameters, "retention definitions", "retention",
                    () -> queries().dashboard().retentionNames());
            case "funnel" -> {
                Params p = params(name, parameters, Set.of("name"));
                Params.Range r = range(p, Granularity.DAY);
                String funnel = p.name("name", null);
                yield orEmpty(() -> Journeys.funnel(queries().funnels().funnel(funnel, r.from(), r.to()),
                        queries().funnels().byDay(funnel, r.from(), r.to())));
            }
            case "retention" -> {
                Params p = params(name, parameters, Set.of("name", "period", "or_later"));
                Params.Range r = range(p, Granularity.DAY);
                String retention = p.name("name", null);
                String period = p.text("period", "day");
                if (!period.equals("day") && !period.equals("week")) {
                    throw new BadRequest("'period' must be day or week, was '" + Params.printable(period) + "'");
                }
                boolean orLater = p.flag("or_later");
                yield orEmpty(() -> {
                    RetentionQueries.Triangle triangle = queries().retention().triangle(retention, r.from(), r.to(),
                            period.equals("week"), orLater);
                    return Journeys.triangle(triangle, Journeys.periods(triangle),
                            java.time.LocalDate.ofInstant(clock.instant(), java.time.ZoneOffset.UTC));
                });
            }
            case "status" -> {
                params(name, parameters, Set.of());
                yield readStatus();
            }
            default -> throw new BadRequest("no query named '" + Params.printable(name) + "' (known: counts, users,"
                    + " breakdown, top-events, rejects, segment-sizes, segment-members, user-segments, funnel,"
                    + " retention, events, segments, funnels, retentions, properties, status)");
        };
    }

    /** A query with no parameters of its own that lists names; they are read once the parameters are checked. */
    private Listing names(String name, Map<String, List<String>> parameters, String title, String column,
            Supplier<? extends java.util.Collection<String>> names) {
        params(name, parameters, Set.of());
        return new Listing(title, List.of(column), names.get().stream().map(List::of).toList());
    }

    private Params params(String name, Map<String, List<String>> parameters, Set<String> own) {
        Set<String> known = new java.util.HashSet<>(own);
        known.add("format");
        if (!Set.of("events", "segments", "funnels", "retentions", "properties", "status", "segment-members",
                "user-segments")
                .contains(name)) {
            known.addAll(RANGE);
        }
        return new Params(name, parameters, known, clock);
    }

    /** The default range shows a chart's worth of buckets; the query layer's limits are checked here, as 400s. */
    private Params.Range range(Params p, Granularity g) {
        Params.Range r = p.range(switch (g) {
            case MINUTE -> Duration.ofHours(2);
            case HOUR -> Duration.ofHours(48);
            case DAY -> Duration.ofDays(30);
        });
        try {
            DashboardQueries.buckets(r.from(), r.to(), g);
        } catch (QueryException e) {
            throw new BadRequest(e.getMessage().replace("--granularity", "granularity")
                    .replace("--to", "to").replace("--from", "from"));
        }
        return r;
    }

    /** After the parameters are checked, the query layer's refusals mean "nothing there". */
    private static Object orEmpty(Supplier<Object> query) {
        try {
            return query.get();
        } catch (QueryException e) {
            return Chart.empty(e.getMessage());
        }
    }

    private static Chart nonEmpty(Chart chart, String message) {
        return chart.x().isEmpty() ? Chart.empty(message) : chart;
    }

    private static Chart chart(Series series) {
        return new Chart(series.title(), series.label(), series.points().stream().map(Series.Point::label).toList(),
                List.of(new Chart.Line(series.label().equals("reason") || series.label().equals("event") ? "count"
                        : series.title(), series.points().stream().map(Series.Point::value).toList())),
                series.summable(), null);
    }

    private Object readStatus() {
        try {
            Object read = status.read();
            return read == null ? Map.of("available", false, "reason", "no status reader in this process")
                    : Map.of("available", true, "status", read);
        } catch (DriverException e) {
            throw e;
        } catch (Exception e) {
            return Map.of("available", false, "reason", String.valueOf(e.getMessage()));
        }
    }

    private Queries queries() {
        Queries q = queries;
        if (q == null) {
            synchronized (this) {
                if (queries == null) {
                    CqlSession s = session.get();
                    queries = new Queries(s, new SeriesQueries(s, keyspace), new SegmentQueries(s, keyspace),
                            new DashboardQueries(s, keyspace), new FunnelQueries(s, keyspace),
                            new RetentionQueries(s, keyspace));
                }
                q = queries;
            }
        }
        return q;
    }

    private Object toJson(Object result) {
        if (result instanceof Listing listing) {
            ObjectNode root = json.createObjectNode().put("title", listing.title());
            root.set("columns", json.valueToTree(listing.columns()));
            root.set("rows", json.valueToTree(listing.rows()));
            root.put("empty", listing.rows().isEmpty());
            return root;
        }
        return result;
    }

    private Answer error(int code, String message) {
        try {
            return new Answer(code, "application/json", json.writeValueAsString(Map.of("error", message)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A chart's data: one label per bucket (or value) and one line (or stack) per series. */
    public record Chart(String title, String label, List<String> x, List<Line> series, boolean summable,
            String message) {
        public record Line(String name, List<Long> values) {
        }

        static Chart empty(String message) {
            return new Chart(message, "", List.of(), List.of(), false, message);
        }

        @JsonProperty
        public boolean empty() {
            return x.isEmpty();
        }
    }

    /** The CSV form of an answer, as the pages' download links give it. */
    static final class Csv {
        private Csv() {
        }

        static String of(Object result) {
            List<List<String>> lines = new ArrayList<>();
            if (result instanceof Listing listing) {
                lines.add(listing.columns());
                lines.addAll(listing.rows());
            } else if (result instanceof Chart chart) {
                List<String> header = new ArrayList<>(List.of(chart.label().isEmpty() ? "label" : chart.label()));
                chart.series().forEach(s -> header.add(s.name()));
                lines.add(header);
                for (int i = 0; i < chart.x().size(); i++) {
                    List<String> line = new ArrayList<>(List.of(chart.x().get(i)));
                    for (Chart.Line s : chart.series()) {
                        line.add(Long.toString(s.values().get(i)));
                    }
                    lines.add(line);
                }
            } else if (result instanceof Journeys.Csv journey) {
                lines.add(journey.csvColumns());
                lines.addAll(journey.csvRows());
            } else {
                throw new BadRequest("this query has no CSV form; ask for JSON");
            }
            return lines.stream().map(line -> line.stream().map(Csv::quoted).collect(Collectors.joining(",")))
                    .collect(Collectors.joining("\n", "", "\n"));
        }

        /** Quotes as RFC 4180 does; a leading =, +, - or @ is prefixed with ' so a spreadsheet does not run it. */
        private static String quoted(String text) {
            String safe = !text.isEmpty() && "=+-@".indexOf(text.charAt(0)) >= 0 && !text.matches("-?\\d+")
                    ? "'" + text : text;
            return safe.contains(",") || safe.contains("\"") || safe.contains("\n") || safe.contains("\r")
                    ? "\"" + safe.replace("\"", "\"\"") + "\"" : safe;
        }
    }
}

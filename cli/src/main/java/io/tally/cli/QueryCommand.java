package io.tally.cli;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import io.tally.state.cassandra.CassandraSettings;
import io.tally.state.cassandra.SessionRegistry;
import io.tally.state.schema.TallyTables;
import io.tally.bolts.journey.CompiledSessions;
import io.tally.bolts.journey.SessionDefinition;
import io.tally.topology.config.TallyConfig;
import io.tally.topology.config.TallyConfigLoader;
import io.tally.query.FunnelQueries;
import io.tally.query.Granularity;
import io.tally.query.QueryException;
import io.tally.query.RetentionQueries;
import io.tally.query.SegmentQueries;
import io.tally.query.SessionQueries;
import io.tally.query.SeriesFormat;
import io.tally.query.SeriesQueries;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tally query counts|users|breakdown|segment-members|segment-sizes|user-segments|funnel|retention|sessions}: the numbers
 * analysts ask
 * for, from the command line.
 */
@Command(name = "query", mixinStandardHelpOptions = true,
        description = {"Counts, distinct users or a property breakdown of an event over a time range (UTC);"
                + " the members, daily sizes or the segments of a user; a funnel's steps; a retention cohort triangle; sessions per day, or their lengths or events.",
                "Without --config it reads the embedded default (the local runner's Cassandra on 127.0.0.1:9042)."})
final class QueryCommand implements Callable<Integer> {

    /** What to query; written with '-' on the command line ({@code segment-members}). */
    enum What { counts, users, breakdown, segment_members, segment_sizes, user_segments, funnel, retention, sessions }

    @Parameters(index = "0", paramLabel = "WHAT", converter = WhatConverter.class,
            description = "counts: events per bucket; users: distinct users per day; breakdown: events per value of"
                    + " --property; segment-members: members of --segment; segment-sizes: users entering --segment"
                    + " per day (with --total: its members); user-segments: the segments of --user; funnel NAME: users"
                    + " entering the funnel on the days of the range who reached each step, with the mean, median and p90 time"
                    + " from the previous step; retention NAME: per cohort day"
                    + " of the range, the users who came back per day (--weeks: per week; --or-later: unbounded); sessions: sessions started per day"
                    + " with their mean length and events (--by length|events: their distribution).")
    What what;

    @Parameters(index = "1", arity = "0..1", paramLabel = "NAME", description = "The funnel's or retention definition's name (funnel, retention).")
    String name;

    @Option(names = {"-s", "--segment"}, description = "Segment name, case-sensitive (segment-members, segment-sizes).")
    String segment;

    @Option(names = {"-u", "--user"}, description = "User id (userId, else anonymousId) for user-segments.")
    String user;

    @Option(names = "--weeks", description = "retention: periods of a week instead of a day.")
    boolean weeks;

    @Option(names = "--or-later", description = "retention: users back in the period or any later one (unbounded).")
    boolean orLater;

    @Option(names = "--by", defaultValue = "day", paramLabel = "day|length|events", converter = ByConverter.class,
            description = "sessions: one row per start day (default), per length bucket or per events bucket.")
    SessionQueries.By by;

    @Option(names = "--value", paramLabel = "VALUE", description = "sessions: the session property's value to read;"
            + " repeat to sum several (default: every value of the configuration's sessions section, or 'all').")
    List<String> values;

    @Option(names = "--total", description = "segment-sizes: members at the end of each day instead of entries.")
    boolean total;

    @Option(names = "--limit", defaultValue = "100", paramLabel = "N",
            description = "segment-members: how many members, by user id (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = {"-e", "--event"}, defaultValue = TallyTables.ALL_EVENTS,
            description = "Event name, case-sensitive (default: '*', all events).")
    String event;

    @Option(names = {"-p", "--property"}, description = "Property to break down by (breakdown only).")
    String property;

    @Option(names = "--from", converter = TimeConverter.class, paramLabel = "TIME",
            description = "Start, inclusive: 2026-11-20, 2026-11-20T14:00 or an ISO instant (UTC). Default: --to minus"
                    + " an hour (minute), a day (hour) or 30 days (day).")
    Instant from;

    @Option(names = "--to", converter = TimeConverter.class, paramLabel = "TIME",
            description = "End, exclusive (default: now).")
    Instant to;

    @Option(names = {"-g", "--granularity"}, defaultValue = "hour", paramLabel = "minute|hour|day",
            converter = GranularityConverter.class, description = "Bucket size (default: ${DEFAULT-VALUE}).")
    Granularity granularity;

    @Option(names = {"-f", "--format"}, defaultValue = "table", paramLabel = "table|csv|json",
            converter = FormatConverter.class, description = "Output (default: ${DEFAULT-VALUE}).")
    SeriesFormat format;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "A Tally configuration whose cassandra section to read (see deploy/tally.yaml).")
    Path config;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        TallyConfig loaded = config == null ? null : TallyConfigLoader.withSystemEnvironment().load(config);
        CassandraSettings cassandra = loaded == null ? CassandraSettings.builder().build() : loaded.cassandra();
        Granularity bucket = what == What.users || what == What.segment_sizes || what == What.funnel
                || what == What.retention || what == What.sessions ? Granularity.DAY
                : granularity;
        Instant end = to != null ? to : Instant.now();
        Instant start = from != null ? from : end.minus(switch (bucket) {
            case MINUTE -> Duration.ofHours(1);
            case HOUR -> Duration.ofDays(1);
            case DAY -> Duration.ofDays(30);
        });
        require(what == What.breakdown, property, "breakdown needs --property NAME");
        require(what == What.segment_members || what == What.segment_sizes, segment,
                what.name().replace('_', '-') + " needs --segment NAME");
        require(what == What.user_segments, user, "user-segments needs --user ID");
        require(what == What.funnel, name, "funnel needs the funnel's NAME: tally query funnel checkout");
        require(what == What.retention, name, "retention needs the definition's NAME: tally query retention signups");
        if (name != null && what != What.funnel && what != What.retention) {
            throw new CommandLine.ParameterException(spec.commandLine(), "only funnel and retention take a NAME, was '"
                    + name + "'");
        }
        if (limit < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--limit must be positive, was " + limit);
        }
        try (CqlSession session = SessionRegistry.builder(cassandra).build()) {
            SeriesQueries queries = new SeriesQueries(session, cassandra.keyspace());
            SegmentQueries segments = new SegmentQueries(session, cassandra.keyspace());
            System.out.print(switch (what) {
                case counts -> format.render(queries.counts(event, start, end, bucket));
                case users -> format.render(queries.uniqueUsers(event, start, end));
                case breakdown -> format.render(queries.breakdown(event, property, start, end, bucket));
                case segment_members -> format.render(segments.members(segment, limit));
                case segment_sizes -> format.render(segments.sizes(segment, start, end, total));
                case user_segments -> format.render(segments.userSegments(user));
                case funnel -> format.render(new FunnelQueries(session, cassandra.keyspace())
                        .funnel(name, start, end).listing(format == SeriesFormat.TABLE));
                case retention -> format.render(new RetentionQueries(session, cassandra.keyspace())
                        .triangle(name, start, end, weeks, orLater).listing());
                case sessions -> format.render(new SessionQueries(session, cassandra.keyspace())
                        .sessions(values != null ? values : sessionValues(loaded), start, end)
                        .listing(by, format == SeriesFormat.TABLE));
            });
            return 0;
        } catch (QueryException e) {
            System.err.println(e.getMessage());
            return 1;
        } catch (AllNodesFailedException e) {
            return CassandraUnreachable.report(spec, cassandra, e);
        }
    }

    /** Every value the configuration keeps sessions under: its listed values, "other" and "none"; else "all". */
    static List<String> sessionValues(TallyConfig config) {
        SessionDefinition sessions = config == null ? null : config.sessions().orElse(null);
        if (sessions == null || sessions.property() == null) {
            return List.of(CompiledSessions.ALL);
        }
        List<String> values = new ArrayList<>(sessions.values());
        values.addAll(List.of(CompiledSessions.OTHER, CompiledSessions.NONE));
        return values;
    }

    private void require(boolean needed, String value, String message) {
        if (needed && value == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), message);
        }
    }

    static final class TimeConverter implements CommandLine.ITypeConverter<Instant> {
        @Override
        public Instant convert(String text) {
            try {
                if (text.length() == 10) {
                    return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
                }
                if (text.endsWith("Z") || text.matches(".*[+-]\\d\\d:\\d\\d$")) {
                    return java.time.OffsetDateTime.parse(text).toInstant();
                }
                return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                throw new CommandLine.TypeConversionException("'" + text
                        + "' is not a time: use 2026-11-20, 2026-11-20T14:00 or 2026-11-20T14:00:00Z");
            }
        }
    }

    /** An enum constant by its lower-case name, with the choices in the message when there is none such. */
    abstract static class LowerCaseEnum<E extends Enum<E>> implements CommandLine.ITypeConverter<E> {
        private final Class<E> type;

        LowerCaseEnum(Class<E> type) {
            this.type = type;
        }

        @Override
        public E convert(String text) {
            for (E constant : type.getEnumConstants()) {
                if (constant.name().equalsIgnoreCase(text)) {
                    return constant;
                }
            }
            throw new CommandLine.TypeConversionException("'" + text.replace('_', '-') + "' is not one of "
                    + java.util.Arrays.stream(type.getEnumConstants())
                            .map(c -> c.name().toLowerCase().replace('_', '-')).toList());
        }
    }

    static final class WhatConverter extends LowerCaseEnum<What> {
        WhatConverter() {
            super(What.class);
        }

        @Override
        public What convert(String text) {
            return super.convert(text.replace('-', '_'));
        }
    }

    static final class ByConverter extends LowerCaseEnum<SessionQueries.By> {
        ByConverter() {
            super(SessionQueries.By.class);
        }
    }

    static final class GranularityConverter extends LowerCaseEnum<Granularity> {
        GranularityConverter() {
            super(Granularity.class);
        }
    }

    static final class FormatConverter extends LowerCaseEnum<SeriesFormat> {
        FormatConverter() {
            super(SeriesFormat.class);
        }
    }
}

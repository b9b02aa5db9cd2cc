package io.tally.state.schema;

import com.datastax.oss.driver.api.core.CqlIdentifier;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.metadata.schema.KeyspaceMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Applies {@code deploy/schema.cql} (packaged into this jar) to a keyspace, idempotently, and checks
 * that a keyspace holds every table it defines.
 */
public final class SchemaApplier {
    private static final String SCHEMA_RESOURCE = "schema.cql";
    private static final Pattern CREATE_TABLE =
            Pattern.compile("CREATE\\s+TABLE\\s+IF\\s+NOT\\s+EXISTS\\s+([a-z][a-z0-9_]*)", Pattern.CASE_INSENSITIVE);

    private final List<String> statements;

    private SchemaApplier(List<String> statements) {
        this.statements = List.copyOf(statements);
    }

    /** The schema shipped with this version of Tally. */
    public static SchemaApplier bundled() {
        try (InputStream in = SchemaApplier.class.getResourceAsStream(SCHEMA_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("schema.cql is missing from the tally-trident-state jar");
            }
            return fromCql(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the bundled schema.cql", e);
        }
    }

    /**
     * Parses a CQL script of {@code ;}-terminated statements. {@code --} comments run to the end of the line;
     * neither a {@code ;} nor a {@code --} inside a quoted string counts.
     */
    public static SchemaApplier fromCql(String script) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < script.length(); i++) {
            char c = script.charAt(i);
            if (quoted) {
                current.append(c);
                quoted = c != '\'';
            } else if (c == '\'') {
                current.append(c);
                quoted = true;
            } else if (c == '-' && i + 1 < script.length() && script.charAt(i + 1) == '-') {
                while (i + 1 < script.length() && script.charAt(i + 1) != '\n') {
                    i++;
                }
            } else if (c == ';') {
                addStatement(statements, current);
            } else {
                current.append(c);
            }
        }
        addStatement(statements, current);
        return new SchemaApplier(statements);
    }

    private static void addStatement(List<String> statements, StringBuilder text) {
        String statement = text.toString().strip().replaceAll("[ \t]*\n(\\s*\n)+", "\n");
        if (!statement.isEmpty()) {
            statements.add(statement);
        }
        text.setLength(0);
    }

    public List<String> statements() {
        return statements;
    }

    /** The tables the schema creates, in order. */
    public List<String> tableNames() {
        List<String> names = new ArrayList<>();
        for (String statement : statements) {
            Matcher m = CREATE_TABLE.matcher(statement);
            if (m.find()) {
                names.add(m.group(1).toLowerCase());
            }
        }
        return names;
    }

    /**
     * Creates the keyspace with the given replication (if it does not exist) and every table in it.
     * An existing keyspace keeps its replication: changing replication is an operator's decision.
     */
    public void apply(CqlSession session, String keyspace, Map<String, String> replication) {
        session.execute("CREATE KEYSPACE IF NOT EXISTS " + CqlIdentifier.fromInternal(keyspace).asCql(true)
                + " WITH replication = " + replicationCql(replication));
        session.execute("USE " + CqlIdentifier.fromInternal(keyspace).asCql(true));
        for (String statement : statements) {
            session.execute(statement);
        }
        session.checkSchemaAgreement();
    }

    /** What is missing from the keyspace compared with the schema; empty when it is complete. */
    public List<String> check(CqlSession session, String keyspace) {
        Optional<KeyspaceMetadata> metadata = session.refreshSchema().getKeyspace(CqlIdentifier.fromInternal(keyspace));
        if (metadata.isEmpty()) {
            return List.of("keyspace " + keyspace + " does not exist");
        }
        List<String> problems = new ArrayList<>();
        for (String table : tableNames()) {
            if (metadata.get().getTable(CqlIdentifier.fromInternal(table)).isEmpty()) {
                problems.add("table " + keyspace + "." + table + " does not exist");
            }
        }
        return problems;
    }

    /** Renders {@code {class: SimpleStrategy, replication_factor: 1}} as a CQL map literal. */
    public static String replicationCql(Map<String, String> replication) {
        if (replication == null || !replication.containsKey("class")) {
            throw new IllegalArgumentException("replication needs a 'class', for example NetworkTopologyStrategy");
        }
        Map<String, String> ordered = new LinkedHashMap<>(replication);
        return ordered.entrySet().stream()
                .map(e -> quote(e.getKey()) + ": " + quote(e.getValue()))
                .collect(Collectors.joining(", ", "{", "}"));
    }

    private static String quote(String text) {
        return "'" + text.replace("'", "''") + "'";
    }
}

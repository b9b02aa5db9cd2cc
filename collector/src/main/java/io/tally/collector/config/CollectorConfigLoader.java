package io.tally.collector.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tally.collector.CollectorSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.commons.text.StringSubstitutor;
import org.apache.commons.text.lookup.StringLookupFactory;

/**
 * Reads the collector's part of {@code tally.yaml}: the {@code collector:} section, and from {@code kafka:} the
 * bootstrap servers and (unless {@code collector.topic} names one) the first topic. The rest is the topology's and
 * is not looked at, so its environment references need not be set where the collector runs. In what is read,
 * {@code ${NAME}} and {@code ${NAME:-default}} are replaced from the environment.
 */
public final class CollectorConfigLoader {
    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    private final StringSubstitutor substitutor;

    private CollectorConfigLoader(StringSubstitutor substitutor) {
        this.substitutor = substitutor.setEnableUndefinedVariableException(true).setDisableSubstitutionInValues(true);
    }

    public static CollectorConfigLoader withSystemEnvironment() {
        return new CollectorConfigLoader(
                new StringSubstitutor(StringLookupFactory.INSTANCE.environmentVariableStringLookup()));
    }

    /** Reads {@code ${NAME}} references from the given map (for tests). */
    public static CollectorConfigLoader withEnvironment(Map<String, String> environment) {
        return new CollectorConfigLoader(new StringSubstitutor(environment));
    }

    public CollectorSettings load(Path file) {
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot be read: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    public CollectorSettings parse(String yamlText) {
        JsonNode tree;
        try {
            tree = yaml.readTree(yamlText);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid YAML: " + e.getOriginalMessage(), e);
        }
        if (tree == null || !tree.isObject()) {
            throw new IllegalArgumentException("the configuration must be a mapping of sections");
        }
        JsonNode kafka = tree.path("kafka");
        JsonNode bootstrapServers = resolve(kafka.path("bootstrap_servers"), "kafka.bootstrap_servers");
        JsonNode firstTopic = resolve(kafka.path("topics").path(0), "kafka.topics[0]");
        JsonNode collector = resolve(tree.path("collector"), "collector");
        if (collector.isMissingNode() || collector.isNull()) {
            throw new IllegalArgumentException("collector: the section is missing (see deploy/tally.yaml)");
        }
        CollectorModel model;
        try {
            model = yaml.treeToValue(collector, CollectorModel.class);
        } catch (JsonProcessingException e) {
            throw describe(e);
        }
        String bootstrap = bootstrapServers.asText("");
        String topic = model.topic() != null ? model.topic() : firstTopic.asText("");
        CollectorSettings.Builder settings = CollectorSettings.builder(bootstrap, topic);
        set(model.bind(), settings::bind);
        set(model.port(), settings::port);
        if (model.sources() != null) {
            for (int i = 0; i < model.sources().size(); i++) {
                SourceModel source = model.sources().get(i);
                if (source == null || source.name() == null || source.writeKey() == null) {
                    throw new IllegalArgumentException("collector.sources[" + i + "]: needs both name and write_key");
                }
                settings.source(source.name(), source.writeKey());
            }
        }
        set(model.maxMessageBytes(), settings::maxMessageBytes);
        set(model.maxBatchBytes(), settings::maxBatchBytes);
        if (model.rateLimit() != null) {
            long rate = model.rateLimit().eventsPerSecond() == null ? 0 : model.rateLimit().eventsPerSecond();
            long burst = model.rateLimit().burst() == null ? Math.max(rate, 1) : model.rateLimit().burst();
            settings.rateLimit(rate, burst);
        }
        set(model.workerThreads(), settings::workerThreads);
        set(model.maxQueuedRequests(), settings::maxQueuedRequests);
        set(model.maxConnections(), settings::maxConnections);
        set(model.requestTimeoutMs(), settings::requestTimeoutMillis);
        set(model.idleTimeoutMs(), settings::idleTimeoutMillis);
        set(model.kafkaTimeoutMs(), settings::kafkaTimeoutMillis);
        set(model.retryAfterSecs(), settings::retryAfterSeconds);
        if (model.producer() != null) {
            model.producer().forEach(settings::producerProperty);
        }
        return settings.build();
    }

    private static <T> void set(T value, java.util.function.Consumer<T> setter) {
        if (value != null) {
            setter.accept(value);
        }
    }

    /** A copy of the section with every string's environment references replaced. */
    private JsonNode resolve(JsonNode node, String path) {
        if (node.isTextual()) {
            try {
                return new TextNode(substitutor.replace(node.asText()));
            } catch (IllegalArgumentException unset) {
                throw new IllegalArgumentException(path + ": " + unset.getMessage(), unset);
            }
        }
        if (node instanceof ObjectNode object) {
            ObjectNode copy = object.objectNode();
            object.properties().forEach(e -> copy.set(e.getKey(), resolve(e.getValue(), path + "." + e.getKey())));
            return copy;
        }
        if (node instanceof ArrayNode array) {
            ArrayNode copy = array.arrayNode();
            for (int i = 0; i < array.size(); i++) {
                copy.add(resolve(array.get(i), path + "[" + i + "]"));
            }
            return copy;
        }
        return node;
    }

    private static IllegalArgumentException describe(JsonProcessingException e) {
        if (e.getCause() instanceof IllegalArgumentException invalid) {
            return invalid;
        }
        String key = e instanceof JsonMappingException mapping ? mapping.getPath().stream()
                .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[") : "";
        UnaryOperator<String> at = problem -> "collector" + (key.isEmpty() ? "" : "." + key) + ": " + problem;
        if (e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException unknown) {
            String known = unknown.getKnownPropertyIds().stream().map(Object::toString).sorted()
                    .collect(Collectors.joining(", "));
            return new IllegalArgumentException(at.apply("unknown key (known keys here: " + known + ")"), e);
        }
        return new IllegalArgumentException(at.apply(e.getOriginalMessage()), e);
    }

    record CollectorModel(String bind, Integer port, String topic, List<SourceModel> sources,
            @JsonProperty("max_message_bytes") Integer maxMessageBytes,
            @JsonProperty("max_batch_bytes") Integer maxBatchBytes,
            @JsonProperty("rate_limit") RateLimitModel rateLimit,
            @JsonProperty("worker_threads") Integer workerThreads,
            @JsonProperty("max_queued_requests") Integer maxQueuedRequests,
            @JsonProperty("max_connections") Integer maxConnections,
            @JsonProperty("request_timeout_ms") Long requestTimeoutMs,
            @JsonProperty("idle_timeout_ms") Long idleTimeoutMs,
            @JsonProperty("kafka_timeout_ms") Long kafkaTimeoutMs,
            @JsonProperty("retry_after_secs") Integer retryAfterSecs,
            Map<String, String> producer) {
    }

    record SourceModel(String name, @JsonProperty("write_key") String writeKey) {
    }

    record RateLimitModel(@JsonProperty("events_per_second") Long eventsPerSecond, Long burst) {
    }
}

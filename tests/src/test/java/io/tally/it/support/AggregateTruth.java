package io.tally.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tally.local.sample.GeneratedEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every aggregate Tally must produce, computed here from what the generator says it generated (and, for
 * breakdowns, the JSON read with a plain ObjectMapper), never with Tally's own parsing or aggregation code.
 * Keys are lists of the table's key columns as text, so they compare directly with rows read by CQL.
 */
public final class AggregateTruth {
    public static final String ALL = "*";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<String> breakdownProperties;
    private final Set<String> messageIds = new HashSet<>();
    private final Map<List<String>, Long> minutes = new HashMap<>();
    private final Map<List<String>, Long> hours = new HashMap<>();
    private final Map<List<String>, Long> days = new HashMap<>();
    private final Map<List<String>, Long> propertyHours = new HashMap<>();
    private final Map<List<String>, Long> propertyDays = new HashMap<>();
    private final Map<List<String>, Set<String>> usersByDay = new HashMap<>();
    private long duplicates;

    public AggregateTruth(List<String> breakdownProperties) {
        this.breakdownProperties = List.copyOf(breakdownProperties);
    }

    /** An accepted event as produced (possibly a second time). */
    public synchronized void add(GeneratedEvent event) {
        if (!messageIds.add(event.messageId())) {
            duplicates++;
            return;
        }
        Instant time = Instant.ofEpochMilli(event.eventTimeMillis());
        String minute = Instant.ofEpochMilli(Math.floorDiv(event.eventTimeMillis(), 60_000L) * 60_000L).toString();
        String hour = Instant.ofEpochMilli(Math.floorDiv(event.eventTimeMillis(), 3_600_000L) * 3_600_000L).toString();
        String day = LocalDate.ofInstant(time, ZoneOffset.UTC).toString();
        for (String name : List.of(event.countName(), ALL)) {
            minutes.merge(List.of(name, minute), 1L, Long::sum);
            hours.merge(List.of(name, hour), 1L, Long::sum);
            days.merge(List.of(name, day), 1L, Long::sum);
            usersByDay.computeIfAbsent(List.of(name, day), k -> new HashSet<>()).add(event.userKey());
        }
        JsonNode properties = properties(event);
        for (String property : breakdownProperties) {
            JsonNode value = properties.get(property);
            if (value != null && value.isValueNode() && !value.isNull()) {
                propertyHours.merge(List.of(event.countName(), property, hour, value.asText()), 1L, Long::sum);
                propertyDays.merge(List.of(event.countName(), property, day, value.asText()), 1L, Long::sum);
            }
        }
    }

    private static JsonNode properties(GeneratedEvent event) {
        try {
            JsonNode properties = JSON.readTree(event.json()).get("properties");
            return properties == null ? JSON.createObjectNode() : properties;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public synchronized Map<List<String>, Long> minutes() {
        return Map.copyOf(minutes);
    }

    public synchronized Map<List<String>, Long> hours() {
        return Map.copyOf(hours);
    }

    public synchronized Map<List<String>, Long> days() {
        return Map.copyOf(days);
    }

    public synchronized Map<List<String>, Long> propertyHours() {
        return Map.copyOf(propertyHours);
    }

    public synchronized Map<List<String>, Long> propertyDays() {
        return Map.copyOf(propertyDays);
    }

    public synchronized Map<List<String>, Long> uniqueUsers() {
        Map<List<String>, Long> counts = new HashMap<>();
        usersByDay.forEach((key, users) -> counts.put(key, (long) users.size()));
        return counts;
    }

    public synchronized long distinctMessages() {
        return messageIds.size();
    }

    public synchronized long duplicates() {
        return duplicates;
    }
}

package io.tally.bench;

import io.tally.local.sample.EventGenerator;
import io.tally.local.sample.GeneratedEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The benchmark's seeded input: Segment-style events from {@link EventGenerator} spread over the 48 hours before the
 * workload is made, with a share sent twice (a producer's retry: the same bytes, the same messageId) and a share of
 * records Tally must reject. It keeps the truth the results are checked against, computed here from what was sent,
 * never from Tally's tables.
 *
 * <p>The events are live data, within the default lateness of the time they are read, so the benchmark measures the
 * topology production runs, whose known row keys answer for recent buckets, rather than a backfill of old data.
 */
final class BenchmarkWorkload {
    static final int HOURS = 48;
    /** How far back a duplicate reaches: a retry comes soon after the original. */
    private static final int RETRY_HORIZON = 1_000;

    private final long events;
    private final int users;
    private final int duplicatePercent;
    private final int badPercent;
    private final Instant start = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(HOURS, ChronoUnit.HOURS);

    BenchmarkWorkload(long events, int users, int duplicatePercent, int badPercent) {
        if (duplicatePercent + badPercent >= 100) {
            throw new IllegalArgumentException("duplicates and bad records must leave room for events");
        }
        this.events = events;
        this.users = users;
        this.duplicatePercent = duplicatePercent;
        this.badPercent = badPercent;
    }

    long events() {
        return events;
    }

    int users() {
        return users;
    }

    /** What Tally must report for the records sent, and how they divide. */
    record Truth(long records, long bytesPerRecord, long duplicates, long rejected, Map<String, Long> countsPerEvent,
            Map<String, Long> countsPerEventWithDuplicates, Map<LocalDate, Long> activeUsersPerDay) {

        /** Records Tally accepts: duplicates included, as counts only counts them. */
        long accepted() {
            return records - rejected;
        }

        /** Events the full pipeline counts: accepted, and the first of their {@code messageId}. */
        long counted() {
            return records - rejected - duplicates;
        }

        /** The days (UTC) the accepted events fall on. */
        List<LocalDate> days() {
            return activeUsersPerDay.keySet().stream().sorted().toList();
        }
    }

    /** Hands every record, in order, to {@code send}, and returns the truth about them. */
    Truth generate(long seed, Consumer<byte[]> send) {
        long[] bytes = {0};
        Consumer<byte[]> counted = record -> {
            bytes[0] += record.length;
            send.accept(record);
        };
        EventGenerator generator = new EventGenerator(seed, start, HOURS, users);
        SplittableRandom choice = new SplittableRandom(seed ^ 0x5DEECE66DL);
        GeneratedEvent[] recent = new GeneratedEvent[RETRY_HORIZON];
        int recentCount = 0;
        Map<String, Long> counts = new HashMap<>();
        Map<String, Long> countsWithDuplicates = new HashMap<>();
        Map<LocalDate, Set<String>> usersPerDay = new HashMap<>();
        long duplicates = 0;
        long rejected = 0;
        for (long i = 0; i < events; i++) {
            int roll = choice.nextInt(100);
            if (roll < badPercent) {
                counted.accept(badRecord(i, generator.next(), start));
                rejected++;
            } else if (roll < badPercent + duplicatePercent && recentCount > 0) {
                GeneratedEvent original = recent[choice.nextInt(Math.min(recentCount, RETRY_HORIZON))];
                counted.accept(original.json());
                countsWithDuplicates.merge(original.countName(), 1L, Long::sum);
                duplicates++;
            } else {
                GeneratedEvent event = generator.next();
                counted.accept(event.json());
                counts.merge(event.countName(), 1L, Long::sum);
                countsWithDuplicates.merge(event.countName(), 1L, Long::sum);
                LocalDate day = LocalDate.ofInstant(Instant.ofEpochMilli(event.eventTimeMillis()), ZoneOffset.UTC);
                usersPerDay.computeIfAbsent(day, d -> new HashSet<>()).add(event.userKey());
                recent[recentCount++ % RETRY_HORIZON] = event;
            }
        }
        Map<LocalDate, Long> activeUsers = new HashMap<>();
        usersPerDay.forEach((day, set) -> activeUsers.put(day, (long) set.size()));
        return new Truth(events, bytes[0] / Math.max(1, events), duplicates, rejected, Map.copyOf(counts), Map.copyOf(countsWithDuplicates),
                Map.copyOf(activeUsers));
    }

    /** Four kinds of bad record, in turn: cut-off JSON, a non-object, an event without a user, a bad timestamp. */
    private static byte[] badRecord(long index, GeneratedEvent event, Instant start) {
        String text = switch ((int) (index % 4)) {
            case 0 -> new String(event.json(), 0, event.json().length / 2, StandardCharsets.UTF_8);
            case 1 -> "[\"not\", \"an\", \"event\"]";
            case 2 -> "{\"type\":\"track\",\"event\":\"Product Viewed\",\"messageId\":\"bad-" + index
                    + "\",\"timestamp\":\"" + start + "\"}";
            default -> "{\"type\":\"track\",\"event\":\"Product Viewed\",\"userId\":\"user-1\",\"messageId\":\"bad-"
                    + index + "\",\"timestamp\":\"the day before yesterday\"}";
        };
        return text.getBytes(StandardCharsets.UTF_8);
    }
}

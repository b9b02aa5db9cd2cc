package io.tally.local.sample;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Deterministic Segment-style events (track, page, identify) spread over a time span, for the local
 * runner's sample, the tests and the benchmark. The same seed always gives the same events.
 *
 * <p>A share of the events carry the client clock fields ({@code originalTimestamp}, {@code sentAt},
 * {@code receivedAt}) with a skewed client clock instead of {@code timestamp}, so the generator states
 * the corrected event time it expects: {@code receivedAt − (sentAt − originalTimestamp)}.
 */
public final class EventGenerator {
    /** Twenty track event names, most frequent first. */
    public static final List<String> TRACK_EVENTS = List.of(
            "Product Viewed", "Product Clicked", "Products Searched", "Product Added", "Cart Viewed",
            "Checkout Started", "Checkout Step Completed", "Payment Info Entered", "Order Completed",
            "Product Removed", "Coupon Entered", "Coupon Applied", "Product Shared", "Product Reviewed",
            "Wishlist Product Added", "Signed Up", "Signed In", "Signed Out", "Song Played", "Video Playback Started");
    /** What page calls are counted as. */
    public static final String PAGE_EVENT = "Page Viewed";
    /** What identify calls are counted as. */
    public static final String IDENTIFY_EVENT = "Identify";

    private static final List<String> PAGES = List.of("Home", "Pricing", "Docs", "Blog", "Checkout", "Account");
    private static final List<String> COUNTRIES = List.of("US", "DE", "FR", "GB", "IN", "BR", "JP", "CA");
    private static final List<String> DEVICES = List.of("ios", "android", "web");
    private static final long HOUR = 3_600_000L;

    private final SplittableRandom random;
    private final Clock liveClock;
    private final long startMillis;
    private final long spanMillis;
    private final int users;
    private final JsonFactory json = new JsonFactory();
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(512);
    private long sequence;

    /**
     * @param seed the same seed gives the same events
     * @param start the earliest event time
     * @param hours event times are spread evenly over this many hours from {@code start}
     * @param users distinct users the events come from
     */
    public EventGenerator(long seed, Instant start, int hours, int users) {
        this(seed, null, start.toEpochMilli(), hours * HOUR, users);
    }

    private EventGenerator(long seed, Clock liveClock, long startMillis, long spanMillis, int users) {
        if (spanMillis <= 0 || users <= 0) {
            throw new IllegalArgumentException("the time span and the users must be positive");
        }
        this.random = new SplittableRandom(seed);
        this.liveClock = liveClock;
        this.startMillis = startMillis;
        this.spanMillis = spanMillis;
        this.users = users;
    }

    /**
     * Events as a live source sends them: each one's time is when {@link #next()} made it, less up to
     * {@code delay} in transit. A live stream touches only the last minutes' count rows, where the spread
     * generator touches rows all over its span.
     */
    public static EventGenerator live(long seed, Clock clock, Duration delay, int users) {
        return new EventGenerator(seed, clock, 0, delay.toMillis(), users);
    }

    public GeneratedEvent next() {
        long n = sequence++;
        long eventTime = liveClock == null
                ? startMillis + random.nextLong(spanMillis)
                : liveClock.millis() - random.nextLong(spanMillis);
        int user = random.nextInt(users);
        boolean anonymous = random.nextInt(10) == 0;
        String userKey = anonymous ? "anon-" + Long.toHexString(user * 0x9E3779B97F4A7C15L) : "user-" + user;
        String messageId = "msg-" + Long.toHexString(random.nextLong()) + "-" + n;
        int kind = random.nextInt(100);
        String countName;
        String type;
        String name = null;
        if (kind < 80) {
            type = "track";
            countName = TRACK_EVENTS.get(skewedIndex(TRACK_EVENTS.size()));
        } else if (kind < 95) {
            type = "page";
            countName = PAGE_EVENT;
            name = PAGES.get(random.nextInt(PAGES.size()));
        } else {
            type = "identify";
            countName = IDENTIFY_EVENT;
        }
        boolean clientClock = random.nextInt(4) == 0;
        try {
            buffer.reset();
            try (JsonGenerator g = json.createGenerator(buffer)) {
                g.writeStartObject();
                g.writeStringField("type", type);
                g.writeStringField("messageId", messageId);
                g.writeStringField(anonymous ? "anonymousId" : "userId", userKey);
                if (type.equals("track")) {
                    g.writeStringField("event", countName);
                } else if (name != null) {
                    g.writeStringField("name", name);
                }
                if (clientClock) {
                    // The device clock is off by up to ±10 minutes; the server's receivedAt is right.
                    long skew = random.nextLong(-600_000, 600_001);
                    long delay = random.nextLong(0, 5_000);
                    long originalTimestamp = eventTime + skew;
                    long sentAt = originalTimestamp + delay;
                    long receivedAt = eventTime + delay;
                    g.writeStringField("originalTimestamp", Instant.ofEpochMilli(originalTimestamp).toString());
                    g.writeStringField("sentAt", Instant.ofEpochMilli(sentAt).toString());
                    g.writeStringField("receivedAt", Instant.ofEpochMilli(receivedAt).toString());
                } else {
                    g.writeStringField("timestamp", Instant.ofEpochMilli(eventTime).toString());
                    // As in Segment's exports: the server's receipt time travels with the event, so lateness is
                    // judged against when the event was collected, not when it was replayed into Tally.
                    g.writeStringField("receivedAt", Instant.ofEpochMilli(eventTime).toString());
                }
                writeProperties(g, type, name);
                g.writeObjectFieldStart("context");
                g.writeStringField("ip", "10." + random.nextInt(256) + "." + random.nextInt(256) + ".1");
                g.writeObjectFieldStart("device");
                g.writeStringField("type", DEVICES.get(user % DEVICES.size()));
                g.writeEndObject();
                g.writeObjectFieldStart("location");
                g.writeStringField("country", COUNTRIES.get(user % COUNTRIES.size()));
                g.writeEndObject();
                g.writeEndObject();
                g.writeEndObject();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return new GeneratedEvent(buffer.toByteArray(), countName, eventTime, userKey, messageId);
    }

    private void writeProperties(JsonGenerator g, String type, String pageName) throws IOException {
        if (type.equals("identify")) {
            g.writeObjectFieldStart("traits");
            g.writeStringField("plan", random.nextBoolean() ? "free" : "pro");
            g.writeEndObject();
            return;
        }
        g.writeObjectFieldStart("properties");
        if (pageName != null) {
            g.writeStringField("path", "/" + pageName.toLowerCase());
        } else {
            g.writeStringField("product_id", "sku-" + random.nextInt(500));
            g.writeNumberField("price", random.nextInt(1, 20_000) / 100.0);
            g.writeStringField("currency", "USD");
        }
        g.writeEndObject();
    }

    /** Index in [0, size) where low indexes are more likely, like real event mixes. */
    private int skewedIndex(int size) {
        double u = random.nextDouble();
        return (int) Math.min(size - 1, Math.floor(size * u * u));
    }
}

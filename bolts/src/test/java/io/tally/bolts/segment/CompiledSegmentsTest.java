package io.tally.bolts.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tally.bolts.event.Event;
import io.tally.bolts.event.EventType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CompiledSegmentsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Event ORDER = new Event(EventType.TRACK, "Order Completed", "m1", "u1", null, 1L, 2L,
            Map.of("plan", "pro", "price", 149.5, "items", 3L, "coupon", "BLACK-FRIDAY", "gift", true,
                    "tags", List.of("a")),
            Map.of("os", Map.of("name", "iOS"), "location", Map.of("country", "DE")), Map.of("tier", "gold"));
    private static final Event PAGE = new Event(EventType.PAGE, "Page Viewed", "m2", null, "anon-1", 1L, 2L,
            Map.of("path", "/docs/segments"), Map.of("os", Map.of("name", "Android")), Map.of());

    /** Compiles one segment with this rule (JSON, which YAML reads the same way). */
    private static CompiledSegment segment(String rule) {
        return CompiledSegments.compile(List.of(new SegmentDefinition("s", parse(rule)))).get("s");
    }

    private static boolean matches(String rule, Event event) {
        return segment(rule).matches().test(event);
    }

    private static Object parse(String json) {
        try {
            return JSON.readValue(json, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void eventNameEqualsOrInAList() {
        assertThat(matches("{\"event\": \"Order Completed\"}", ORDER)).isTrue();
        assertThat(matches("{\"event\": \"Order Completed\"}", PAGE)).isFalse();
        assertThat(matches("{\"event\": [\"Signed Up\", \"Page Viewed\"]}", PAGE)).isTrue();
        assertThat(matches("{\"event\": [\"Signed Up\", \"Page Viewed\"]}", ORDER)).isFalse();
        assertThat(matches("{\"field\": \"event\", \"prefix\": \"Order\"}", ORDER)).isTrue();
    }

    @Test
    void equalsComparesNumbersAsNumbersAndTheRestAsText() {
        assertThat(matches("{\"field\": \"properties.plan\", \"equals\": \"pro\"}", ORDER)).isTrue();
        assertThat(matches("{\"field\": \"properties.items\", \"equals\": 3.0}", ORDER)).isTrue();
        assertThat(matches("{\"field\": \"properties.items\", \"equals\": \"3\"}", ORDER)).isTrue();
        assertThat(matches("{\"field\": \"properties.gift\", \"equals\": true}", ORDER)).isTrue();
        assertThat(matches("{\"field\": \"context.os.name\", \"equals\": \"ios\"}", ORDER)).as("case-sensitive").isFalse();
        assertThat(matches("{\"field\": \"properties.tags\", \"equals\": \"a\"}", ORDER)).as("a list is no value").isFalse();
        assertThat(matches("{\"field\": \"traits.tier\", \"equals\": \"gold\"}", ORDER)).isTrue();
    }

    @Test
    void notEqualsNeedsTheField() {
        assertThat(matches("{\"field\": \"properties.plan\", \"not_equals\": \"free\"}", ORDER)).isTrue();
        assertThat(matches("{\"field\": \"properties.plan\", \"not_equals\": \"pro\"}", ORDER)).isFalse();
        assertThat(matches("{\"field\": \"properties.plan\", \"not_equals\": \"pro\"}", PAGE)).isFalse();
        assertThat(matches("{\"not\": {\"field\": \"properties.plan\", \"equals\": \"pro\"}}", PAGE)).isTrue();
    }

    @Test
    void inExistsAndPrefix() {
        assertThat(matches("{\"field\": \"context.location.country\", \"in\": [\"FR\", \"DE\"]}", ORDER)).isTrue();
        assertThat(matches("{\"field\": \"context.location.country\", \"in\": [\"FR\", \"GB\"]}", ORDER)).isFalse();
        assertThat(matches("{\"field\": \"properties.items\", \"in\": [1, 3]}", ORDER)).isTrue();
        assertThat(matches("{\"field\": \"properties.coupon\", \"exists\": true}", ORDER)).isTrue();
        assertThat(matches("{\"field\": \"properties.coupon\", \"exists\": true}", PAGE)).isFalse();
        assertThat(matches("{\"field\": \"properties.coupon\", \"exists\": false}", PAGE)).isTrue();
        assertThat(matches("{\"field\": \"context.location.country\", \"exists\": true}", PAGE)).isFalse();
        assertThat(matches("{\"field\": \"properties.path\", \"prefix\": \"/docs/\"}", PAGE)).isTrue();
        assertThat(matches("{\"field\": \"properties.path\", \"prefix\": \"/blog\"}", PAGE)).isFalse();
        assertThat(matches("{\"field\": \"properties.items\", \"prefix\": \"3\"}", ORDER)).as("numbers have no prefix").isFalse();
    }

    @Test
    void numericComparisonsHoldOnlyForNumbers() {
        assertThat(matches("{\"field\": \"properties.price\", \"gt\": 149}", ORDER)).isTrue();
        assertThat(matches("{\"field\": \"properties.price\", \"gt\": 149.5}", ORDER)).isFalse();
        assertThat(matches("{\"field\": \"properties.price\", \"gte\": 149.5}", ORDER)).isTrue();
        assertThat(matches("{\"field\": \"properties.price\", \"lt\": 149.5}", ORDER)).isFalse();
        assertThat(matches("{\"field\": \"properties.price\", \"lte\": 149.5}", ORDER)).isTrue();
        assertThat(matches("{\"field\": \"properties.items\", \"lt\": 4}", ORDER)).isTrue();
        assertThat(matches("{\"field\": \"properties.plan\", \"lt\": 4}", ORDER)).as("text is no number").isFalse();
        assertThat(matches("{\"field\": \"properties.price\", \"gte\": 0}", PAGE)).as("missing").isFalse();
    }

    @Test
    void andOrNot() {
        String mobileGermans = "{\"and\": [{\"field\": \"context.location.country\", \"equals\": \"DE\"},"
                + " {\"or\": [{\"field\": \"context.os.name\", \"equals\": \"iOS\"},"
                + " {\"field\": \"context.os.name\", \"equals\": \"Android\"}]}]}";
        assertThat(matches(mobileGermans, ORDER)).isTrue();
        assertThat(matches(mobileGermans, PAGE)).isFalse();
        assertThat(matches("{\"not\": {\"event\": \"Order Completed\"}}", PAGE)).isTrue();
        assertThat(matches("{\"or\": [{\"event\": \"x\"}, {\"event\": \"Page Viewed\"}]}", PAGE)).isTrue();
    }

    @Test
    void thresholds() {
        CompiledSegment plain = segment("{\"event\": \"Order Completed\"}");
        assertThat(List.of(plain.atLeast(), plain.withinDays())).containsExactly(1, 1);
        CompiledSegment daily = segment("{\"at_least\": 10, \"per\": \"day\", \"where\": {\"event\": \"Song Played\"}}");
        assertThat(List.of(daily.atLeast(), daily.withinDays())).containsExactly(10, 1);
        CompiledSegment weekly = segment("{\"at_least\": 3, \"within_days\": 7, \"where\": {\"event\": \"Order Completed\"}}");
        assertThat(List.of(weekly.atLeast(), weekly.withinDays())).containsExactly(3, 7);
        assertThat(weekly.matches().test(ORDER)).isTrue();
    }

    @Test
    void matchingListsTheSegmentsAnEventMatchesInOrder() {
        List<SegmentDefinition> definitions = new ArrayList<>();
        definitions.add(new SegmentDefinition("buyers", parse("{\"event\": \"Order Completed\"}")));
        definitions.add(new SegmentDefinition("readers", parse("{\"field\": \"properties.path\", \"exists\": true}")));
        definitions.add(new SegmentDefinition("germans", parse("{\"field\": \"context.location.country\", \"equals\": \"DE\"}")));
        CompiledSegments segments = CompiledSegments.compile(definitions);
        assertThat(segments.matching(ORDER)).extracting(CompiledSegment::name).containsExactly("buyers", "germans");
        assertThat(segments.matching(PAGE)).extracting(CompiledSegment::name).containsExactly("readers");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "unknown operator      | {\"field\": \"properties.plan\", \"equal\": \"pro\"} | segments[0].rule: unknown operator 'equal' (known: equals, not_equals, in, exists, lt, lte, gt, gte, prefix)",
        "unknown node          | {\"and\": [{\"evnt\": \"x\"}]} | segments[0].rule.and[0]: unknown operator 'evnt' (known: event, field, and, or, not)",
        "two operators         | {\"field\": \"properties.plan\", \"equals\": \"a\", \"in\": [\"b\"]} | segments[0].rule: a field comparison needs exactly one operator of [equals, not_equals, in, exists, lt, lte, gt, gte, prefix], was [field, equals, in]",
        "two nodes             | {\"event\": \"a\", \"not\": {\"event\": \"b\"}} | segments[0].rule: expected exactly one of [event, field, and, or, not], was [event, not]",
        "bad field root        | {\"field\": \"props.plan\", \"equals\": \"pro\"} | segments[0].rule.field: must be 'event' or a dotted path starting with properties., context. or traits. (e.g. context.os.name), was 'props.plan'",
        "field without name    | {\"not\": {\"field\": \"context.\", \"exists\": true}} | segments[0].rule.not.field: must be 'event' or a dotted path starting with properties., context. or traits. (e.g. context.os.name), was 'context.'",
        "number expected       | {\"field\": \"properties.price\", \"gt\": \"cheap\"} | segments[0].rule.gt: expected a number, was 'cheap'",
        "exists not boolean    | {\"field\": \"properties.price\", \"exists\": \"yes\"} | segments[0].rule.exists: expected true or false, was 'yes'",
        "empty in              | {\"field\": \"properties.plan\", \"in\": []} | segments[0].rule.in: expected a non-empty list of values, was a list",
        "empty and             | {\"and\": []} | segments[0].rule.and: expected a non-empty list of predicates, was a list",
        "not a mapping         | \"Order Completed\" | segments[0].rule: expected a predicate mapping with one of [event, field, and, or, not], was 'Order Completed'",
        "threshold zero        | {\"at_least\": 0, \"per\": \"day\", \"where\": {\"event\": \"a\"}} | segments[0].rule.at_least: must be a positive integer, was 0",
        "threshold text        | {\"at_least\": \"ten\", \"per\": \"day\", \"where\": {\"event\": \"a\"}} | segments[0].rule.at_least: must be a positive integer, was 'ten'",
        "threshold fraction    | {\"at_least\": 2.5, \"per\": \"day\", \"where\": {\"event\": \"a\"}} | segments[0].rule.at_least: must be a positive integer, was 2.5",
        "window too long       | {\"at_least\": 2, \"within_days\": 400, \"where\": {\"event\": \"a\"}} | segments[0].rule.within_days: must be a positive integer of at most 366, was 400",
        "per week              | {\"at_least\": 2, \"per\": \"week\", \"where\": {\"event\": \"a\"}} | segments[0].rule.per: must be day, was 'week'",
        "no window             | {\"at_least\": 2, \"where\": {\"event\": \"a\"}} | segments[0].rule: a threshold needs exactly one of per: day or within_days: D",
        "no where              | {\"at_least\": 2, \"per\": \"day\"} | segments[0].rule.where: is required: the event predicate that is counted",
        "unknown threshold key | {\"at_least\": 2, \"per\": \"day\", \"where\": {\"event\": \"a\"}, \"ever\": true} | segments[0].rule.ever: unknown key in a threshold (known: at_least, per, within_days, where)",
        "bad where             | {\"at_least\": 2, \"per\": \"day\", \"where\": {\"event\": []}} | segments[0].rule.where.event: expected a non-empty list of names",
    })
    void rejectedRulesNameThePathAndTheProblem(String why, String rule, String message) {
        assertThatThrownBy(() -> segment(rule)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void namesAreRequiredUniqueAndPlain() {
        Object rule = parse("{\"event\": \"a\"}");
        assertThatThrownBy(() -> CompiledSegments.compile(List.of(new SegmentDefinition("a", rule),
                new SegmentDefinition("a", rule)))).hasMessage("segments[1].name: duplicate segment name 'a'");
        assertThatThrownBy(() -> CompiledSegments.compile(List.of(new SegmentDefinition("big spenders", rule))))
                .hasMessage("segments[0].name: must be 1 to 100 letters, digits, '_', '-' or '.' (starting with a letter"
                        + " or digit), was 'big spenders'");
        assertThatThrownBy(() -> CompiledSegments.compile(List.of(new SegmentDefinition(null, rule))))
                .hasMessageStartingWith("segments[0].name: must be").hasMessageEndingWith("was missing");
        assertThatThrownBy(() -> CompiledSegments.compile(List.of(new SegmentDefinition("a", null))))
                .hasMessage("segments[0].rule: is required: an event predicate or {at_least: N, per: day, where: ...}");
        assertThatThrownBy(() -> CompiledSegments.compile(java.util.Arrays.asList((SegmentDefinition) null)))
                .hasMessage("segments[0]: is empty; expected {name: ..., rule: ...}");
    }
}

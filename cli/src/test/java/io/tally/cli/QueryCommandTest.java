package io.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class QueryCommandTest {

    private static QueryCommand parse(String... args) {
        QueryCommand command = new QueryCommand();
        new CommandLine(command).parseArgs(args);
        return command;
    }

    @Test
    void segmentQueriesAreWrittenWithDashes() {
        QueryCommand members = parse("segment-members", "--segment", "buyers", "--limit", "20");
        assertThat(members.what).isEqualTo(QueryCommand.What.segment_members);
        assertThat(members.segment).isEqualTo("buyers");
        assertThat(members.limit).isEqualTo(20);
        assertThat(parse("segment-sizes", "-s", "buyers", "--total").total).isTrue();
        assertThat(parse("user-segments", "--user", "user-7").user).isEqualTo("user-7");
        assertThat(parse("counts").what).isEqualTo(QueryCommand.What.counts);
        assertThat(parse("funnel", "checkout").name).isEqualTo("checkout");
        QueryCommand retention = parse("retention", "signups", "--weeks", "--or-later");
        assertThat(List.of(retention.name, retention.weeks, retention.orLater)).containsExactly("signups", true, true);
    }

    @Test
    void anUnknownQueryListsTheKnownOnes() {
        assertThatThrownBy(() -> parse("segment-member"))
                .hasMessageContaining("'segment-member' is not one of [counts, users, breakdown, segment-members,"
                        + " segment-sizes, user-segments, funnel, retention, sessions]");
    }
}

package io.tally.collector;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EndpointTest {
    @Test
    void pathsWithAndWithoutATrailingSlashAreFound() {
        assertThat(Endpoint.ofPath("/v1/track")).isEqualTo(Endpoint.TRACK);
        assertThat(Endpoint.ofPath("/v1/import/")).isEqualTo(Endpoint.IMPORT); // where analytics-java 3.5 posts
        assertThat(Endpoint.ofPath("/v1/batch")).isEqualTo(Endpoint.BATCH);
        assertThat(Endpoint.ofPath("/v1/")).isNull();
        assertThat(Endpoint.ofPath("/v1/track//")).isNull();
        assertThat(Endpoint.ofPath("/v2/track")).isNull();
        assertThat(Endpoint.PAGE.messageType()).isEqualTo("page");
        assertThat(Endpoint.IMPORT.messageType()).isNull();
    }
}

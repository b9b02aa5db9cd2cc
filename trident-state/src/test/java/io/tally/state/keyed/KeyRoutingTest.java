package io.tally.state.keyed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.storm.shade.com.google.common.hash.Hashing;
import org.junit.jupiter.api.Test;

class KeyRoutingTest {
    private static final int PARTITIONS = 8;

    /** 2^12 ids made of the blocks "Aa" and "BB", which have the same String.hashCode: so do all the ids. */
    private static List<String> collidingIds() {
        List<String> ids = new ArrayList<>();
        for (int bits = 0; bits < 1 << 12; bits++) {
            StringBuilder id = new StringBuilder("msg-");
            for (int block = 0; block < 12; block++) {
                id.append((bits >> block & 1) == 0 ? "Aa" : "BB");
            }
            ids.add(id.toString());
        }
        return ids;
    }

    @Test
    void idsASenderMadeCollideUnderStringHashCodeSpreadOverEveryPartition() {
        List<String> ids = collidingIds();
        assertThat(ids.stream().map(String::hashCode).distinct()).hasSize(1);
        int[] perPartition = new int[PARTITIONS];
        KeyRouting routing = KeyRouting.random();
        for (String id : ids) {
            perPartition[KeyRouting.partition(routing.route(id), PARTITIONS)]++;
        }
        int fair = ids.size() / PARTITIONS;
        for (int count : perPartition) {
            // 512 expected per partition; a binomial spread beyond ±25% has a probability far below 1e-9.
            assertThat(count).isBetween(fair * 3 / 4, fair * 5 / 4);
        }
    }

    @Test
    void routesDependOnTheSecretKeyAndStayTheSameUnderIt() {
        KeyRouting one = KeyRouting.withKey(1, 2);
        KeyRouting same = KeyRouting.withKey(1, 2);
        KeyRouting other = KeyRouting.withKey(3, 4);
        int differing = 0;
        for (String id : collidingIds()) {
            assertThat(one.route(id)).isEqualTo(same.route(id));
            differing += one.route(id) != other.route(id) ? 1 : 0;
        }
        assertThat(differing).isGreaterThan(4000);
    }

    @Test
    void isSipHash24OfTheUtf16Text() {
        long k0 = 0x0706050403020100L;
        long k1 = 0x0f0e0d0c0b0a0908L;
        KeyRouting routing = KeyRouting.withKey(k0, k1);
        for (String text : List.of("", "a", "ab", "abc", "abcd", "abcde", "user-42", "9f1c2a7e-1b7d-4c55-a5a1-0c9b3f",
                "événement ✓ 𝄞", "\u0000kafka:events:0@1234")) {
            assertThat(routing.hash(text)).as(text)
                    .isEqualTo(Hashing.sipHash24(k0, k1).hashUnencodedChars(text).asLong());
        }
    }
}

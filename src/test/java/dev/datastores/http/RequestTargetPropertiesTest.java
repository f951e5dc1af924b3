package dev.datastores.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.datastores.support.KeyArbitraries;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The request target's one parse: any valid key written in any allowed way after {@code records/} is that key and
 * nothing else, and any trick before the key (dot segments, empty segments, encoded dots or slashes) is refused.
 */
class RequestTargetPropertiesTest {

    private static final List<String> PREFIX = List.of("v1", "workspaces", "ws_1", "stores", "ds_1", "records");
    private static final String RECORDS = "/" + String.join("/", PREFIX) + "/";

    @Property(tries = 2000)
    void anyKeyAfterRecordsIsThatKeyDecodedOnce(@ForAll("keys") String key, @ForAll boolean encodeEverything) {
        String written = encodeEverything ? KeyArbitraries.encodeAll(key) : KeyArbitraries.encodeMinimally(key);

        RequestTarget target = RequestTarget.parse(RECORDS + written);

        assertThat(target.key()).isEqualTo(key);
        assertThat(target.segments()).isEqualTo(PREFIX);
        assertThat(target.routingPath()).isIn(RECORDS + written, RECORDS + "_");
    }

    @Property(tries = 2000)
    void aTrickBeforeTheKeyIsRefusedNeverResolved(@ForAll("tricks") String trick, @ForAll @IntRange(min = 0, max = 4) int at,
            @ForAll("keys") String key) {
        List<String> segments = new ArrayList<>(PREFIX);
        segments.add(at + 1, trick);
        String path = "/" + String.join("/", segments) + "/" + KeyArbitraries.encodeAll(key);

        assertThatThrownBy(() -> RequestTarget.parse(path)).isInstanceOfSatisfying(ProblemException.class,
                problem -> assertThat(problem.status()).isEqualTo(400));
    }

    @Property(tries = 500)
    void aPathWithoutAKeyKeepsItsSegments(@ForAll @IntRange(min = 1, max = 6) int length) {
        List<String> segments = PREFIX.subList(0, length);

        RequestTarget target = RequestTarget.parse("/" + String.join("/", segments));

        assertThat(target.hasKey()).isFalse();
        assertThat(target.segments()).isEqualTo(segments);
        assertThat(target.needsRerouting()).isFalse();
    }

    @Provide
    Arbitrary<String> keys() {
        return KeyArbitraries.keys();
    }

    @Provide
    Arbitrary<String> tricks() {
        return Arbitraries.of(".", "..", "%2E", "%2e", "%2E%2E", ".%2e", "", "x/..", "x/%2E%2E", "ds_1%2Frecords", "a;b", "%zz",
                "%C3");
    }
}

package dev.datastores.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.datastores.support.EventStream;
import dev.datastores.support.Parallel;
import dev.datastores.support.StoreHistory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Change streams and transactions on two running instances of the packaged service: a change made through one
 * reaches watchers of the other within a second; under concurrent writers on both, every watcher on either sees the
 * same history, dense and in commit order, whose replay is the store; a checked transaction commits once.
 */
class ChangesAcrossInstancesIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final TwoInstances INSTANCES = new TwoInstances(16393, 18097, 18098);
    private static final List<String> BASES = INSTANCES.bases();

    @Test
    void aChangeThroughOneInstanceReachesWatchersOfTheOtherWithinASecond() throws Exception {
        ItWorkspace ws = ItWorkspace.create(BASES, 5, 10_000, 100_000_000);
        try (EventStream sse = EventStream.open(changesUrl(ws, 1), ws.token(), null)) {
            assertThat(sse.nextComment(Duration.ofSeconds(5))).isNotNull();
            List<Long> millis = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                long sent = System.nanoTime();
                ws.put(0, "k" + i).then().statusCode(201);
                List<EventStream.Event> events = sse.take(1, Duration.ofSeconds(5));
                assertThat(events).hasSize(1);
                millis.add((System.nanoTime() - sent) / 1_000_000);
                assertThat(JSON.readTree(events.get(0).data()).get("key").asText()).isEqualTo("k" + i);
            }
            // a second under normal load; CI machines are shared, so one slow sample in twenty is tolerated
            assertThat(millis).as("ms from the write's request to the other instance's event")
                    .filteredOn(ms -> ms < 1_000).hasSizeGreaterThanOrEqualTo(19);
            assertThat(millis.stream().sorted().toList().get(millis.size() / 2)).as("median ms").isLessThan(500);
        }
    }

    @Test
    void concurrentWritersOnBothInstancesGiveOneGaplessHistoryEverywhere() throws Exception {
        ItWorkspace ws = ItWorkspace.create(BASES, 5, 10_000, 100_000_000);
        EventStream onFirst = EventStream.open(changesUrl(ws, 0) + "?since=0000000000000000", ws.token(), null);
        EventStream onSecond = EventStream.open(changesUrl(ws, 1) + "?since=0000000000000000", ws.token(), null);
        Parallel.run(12, writer -> {
            Random random = new Random(writer);
            for (int i = 0; i < 40; i++) {
                int instance = (writer + i) % 2;
                String key = "k" + random.nextInt(8);
                switch (random.nextInt(4)) {
                    case 0 -> ws.put(instance, key, "{\"w\":" + writer + ",\"i\":" + i + "}");
                    case 1 -> ws.request(instance).delete("/v1/workspaces/{ws}/stores/{ds}/records/{key}", ws.id(), ws.store(), key);
                    case 2 -> ws.request(instance).body("{\"key\":\"n\",\"by\":1}")
                            .post("/v1/workspaces/{ws}/stores/{ds}/increment", ws.id(), ws.store());
                    default -> ws.request(instance).body("{\"set\":[{\"key\":\"" + key + "\",\"value\":" + i + "},{\"key\":\"b"
                            + writer + "\",\"value\":true}]}").post("/v1/workspaces/{ws}/stores/{ds}/batch", ws.id(), ws.store());
                }
            }
            return null;
        });

        List<Map<String, Object>> all = readAll(ws, 0, "0000000000000000");
        for (int i = 0; i < all.size(); i++) {
            assertThat(all.get(i).get("position")).isEqualTo(String.format("%016x", i + 1));
        }
        assertThat(StoreHistory.replay(all)).as("the history replayed is the store")
                .isEqualTo(StoreHistory.stored(ws.request(1), "/v1/workspaces/" + ws.id() + "/stores/" + ws.store() + "/records"));

        List<String> positions = all.stream().map(change -> (String) change.get("position")).toList();
        for (EventStream sse : List.of(onFirst, onSecond)) {
            List<EventStream.Event> events = sse.take(all.size(), Duration.ofSeconds(30));
            sse.close();
            assertThat(events).extracting(EventStream.Event::id).isEqualTo(positions);
        }
        Random random = new Random(3);
        for (int i = 0; i < 4; i++) {
            int from = random.nextInt(all.size());
            assertThat(readAll(ws, i % 2, String.format("%016x", from))).isEqualTo(all.subList(from, all.size()));
        }
    }

    @Test
    void ofTwentyTransactionsCheckingOneEtagOnTwoInstancesExactlyOneCommits() {
        ItWorkspace ws = ItWorkspace.create(BASES, 5, 10_000, 100_000_000);
        String etag = ws.put(0, "counter", "0").then().statusCode(201).extract().header("ETag");
        List<Integer> statuses = Parallel.run(20, i -> ws.request(i % 2)
                .body("{\"checks\":[{\"key\":\"counter\",\"etag\":" + quoted(etag) + "}],\"set\":[{\"key\":\"counter\",\"value\":" + (i + 1)
                        + "},{\"key\":\"winner-" + i + "\",\"value\":true}]}")
                .post("/v1/workspaces/{ws}/stores/{ds}/batch", ws.id(), ws.store()).statusCode());
        assertThat(statuses).filteredOn(status -> status == 200).hasSize(1);
        assertThat(statuses).filteredOn(status -> status == 412).hasSize(19);
        assertThat(ws.keys()).filteredOn(key -> key.startsWith("winner-")).hasSize(1);
    }

    private static String quoted(String etag) {
        try {
            return JSON.writeValueAsString(etag);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Map<String, Object>> readAll(ItWorkspace ws, int instance, String since) {
        return StoreHistory.readAll(() -> ws.request(instance), "/v1/workspaces/" + ws.id() + "/stores/" + ws.store() + "/changes", since);
    }

    private static String changesUrl(ItWorkspace ws, int instance) {
        return BASES.get(instance) + "/v1/workspaces/" + ws.id() + "/stores/" + ws.store() + "/changes";
    }
}

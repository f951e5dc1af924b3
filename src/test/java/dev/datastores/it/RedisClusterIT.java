package dev.datastores.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datastores.it.ServiceProcess.Database;
import dev.datastores.support.Parallel;
import io.restassured.response.Response;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Quotas hold exactly with the counters on a three-master Redis Cluster and two instances of the packaged
 * service using it at once; each workspace's counters live in one slot, different workspaces' on different nodes.
 */
class RedisClusterIT {

    private static final List<String> BASES = List.of("http://127.0.0.1:18101", "http://127.0.0.1:18102");

    private static RedisCluster cluster;
    private static ServiceProcess first;
    private static ServiceProcess second;

    @BeforeAll
    static void start() throws Exception {
        cluster = RedisCluster.start(17001, 17002, 17003);
        Map<String, String> clusterMode = Map.of("QUARKUS_REDIS_CLIENT_TYPE", "cluster");
        first = ServiceProcess.service(18101, cluster.hosts(), Database.ofTestProfile(), clusterMode);
        second = ServiceProcess.service(18102, cluster.hosts(), Database.ofTestProfile(), clusterMode);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable process : new AutoCloseable[] {first, second, cluster}) {
            try {
                if (process != null) {
                    process.close();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Test
    void fiftyPutsSpreadOverTwoInstancesAdmitExactlyOneForOneFreeSlot() {
        ItWorkspace ws = ItWorkspace.create(BASES, 5, 10, 100_000_000);
        IntStream.range(0, 9).forEach(i -> ws.put(i % 2, "existing-" + i).then().statusCode(201));

        List<Integer> statuses = Parallel.run(50, i -> ws.put(i % 2, "new-" + i).statusCode());

        assertThat(statuses).filteredOn(s -> s == 201).hasSize(1);
        assertThat(statuses).filteredOn(s -> s == 403).hasSize(49);
        assertThat(ws.keys()).hasSize(10);
        assertThat(awaitCounter(ws, "keys", "10")).as("the workspace's counters on the cluster")
                .containsEntry("keys", "10").containsEntry("inflight", "0");
    }

    @Test
    void fiftyStoreCreationsSpreadOverTwoInstancesAdmitExactlyOneForOneFreeSlot() {
        ItWorkspace ws = ItWorkspace.create(BASES, 3, 100, 100_000_000);
        ws.createStore(1, "two").then().statusCode(201);

        List<Integer> statuses = Parallel.run(50, i -> ws.createStore(i % 2, "store-" + i).statusCode());

        assertThat(statuses).filteredOn(s -> s == 201).hasSize(1);
        assertThat(statuses).filteredOn(s -> s == 403).hasSize(49);
        assertThat(ws.usage(0)).containsEntry("stores", 3);
        assertThat(awaitCounter(ws, "stores", "3")).containsEntry("stores", "3");
    }

    @Test
    void fiftyPutsNearTheStorageLimitSpreadOverTwoInstancesAdmitExactlyOne() {
        String value = "\"" + "x".repeat(100) + "\"";
        ItWorkspace probe = ItWorkspace.create(BASES, 5, 1000, 100_000_000);
        int stored = probe.put(0, "k", value).then().statusCode(201).extract().path("storageBytes");
        ItWorkspace ws = ItWorkspace.create(BASES, 5, 1000, stored * 3L + stored / 2);
        ws.put(0, "first", value).then().statusCode(201);
        ws.put(1, "second", value).then().statusCode(201);

        List<Response> responses = Parallel.run(50, i -> ws.put(i % 2, "new-" + i, value));

        assertThat(responses).filteredOn(r -> r.statusCode() == 201).hasSize(1);
        assertThat(responses).filteredOn(r -> r.statusCode() == 403)
                .allMatch(r -> "storageBytes".equals(r.path("limit"))).hasSize(49);
        assertThat(awaitCounter(ws, "bytes", Integer.toString(stored * 3))).containsEntry("bytes", Integer.toString(stored * 3));
    }

    @Test
    void eachWorkspacesCountersShareOneSlotAndWorkspacesSpreadOverTheNodes() {
        List<ItWorkspace> workspaces = IntStream.range(0, 12).mapToObj(i -> ItWorkspace.create(BASES, 5, 100, 100_000_000))
                .toList();
        workspaces.forEach(ws -> ws.put(0, "k").then().statusCode(201));

        Map<String, Set<Integer>> nodesOfWorkspace = new HashMap<>();
        for (int port : cluster.ports()) {
            for (String key : RedisCluster.cli(port, "--scan", "--pattern", "dsq:{*")) {
                String workspace = key.substring(key.indexOf('{') + 1, key.indexOf('}'));
                nodesOfWorkspace.computeIfAbsent(workspace, ws -> new HashSet<>()).add(port);
            }
        }
        for (ItWorkspace ws : workspaces) {
            String workspaceKey = "dsq:{" + ws.id() + "}";
            String storeKey = workspaceKey + ":" + ws.store();
            assertThat(RedisCluster.cli(17001, "cluster", "keyslot", storeKey))
                    .isEqualTo(RedisCluster.cli(17001, "cluster", "keyslot", workspaceKey));
            assertThat(RedisCluster.cli(17001, "exists", workspaceKey, storeKey)).containsExactly("2");
            assertThat(nodesOfWorkspace.get(ws.id())).as("nodes holding " + ws.id()).hasSize(1);
        }
        Set<Integer> nodesUsed = new HashSet<>();
        workspaces.forEach(ws -> nodesUsed.addAll(nodesOfWorkspace.get(ws.id())));
        assertThat(nodesUsed).as("12 workspaces spread over the cluster's masters").hasSizeGreaterThan(1);
    }

    /** The workspace's counter hash once {@code field} reads {@code expected} (settlements land a moment after the answer). */
    private static Map<String, String> awaitCounter(ItWorkspace ws, String field, String expected) {
        Map<String, String> counters = Map.of();
        for (int i = 0; i < 50 && !expected.equals(counters.get(field)); i++) {
            ServiceProcess.sleep(100);
            List<String> reply = RedisCluster.cli(17001, "hgetall", "dsq:{" + ws.id() + "}");
            Map<String, String> read = new HashMap<>();
            for (int at = 0; at + 1 < reply.size(); at += 2) {
                read.put(reply.get(at), reply.get(at + 1));
            }
            counters = read;
        }
        return counters;
    }
}

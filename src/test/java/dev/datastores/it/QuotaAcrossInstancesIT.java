package dev.datastores.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.datastores.support.Parallel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Quotas hold across two running instances of the packaged service, and through a Redis outage. */
class QuotaAcrossInstancesIT {

    @RegisterExtension
    static final TwoInstances INSTANCES = new TwoInstances(16390, 18091, 18092);
    private static final List<String> BASES = INSTANCES.bases();

    @Test
    void fiftyPutsSpreadOverTwoInstancesAdmitExactlyOneForOneFreeSlot() {
        ItWorkspace ws = ItWorkspace.create(BASES, 5, 10, 100_000_000);
        for (int i = 0; i < 9; i++) {
            ws.put(0, "existing-" + i).then().statusCode(201);
        }

        List<Integer> statuses = Parallel.run(50, i -> ws.put(i % 2, "new-" + i).statusCode());

        assertThat(statuses).filteredOn(s -> s == 201).hasSize(1);
        assertThat(statuses).filteredOn(s -> s == 403).hasSize(49);
    }

    @Test
    void redisStoppedDuringAWriteLoadGivesNoServerErrorNoOvershootAndRightCountersAfter() throws Exception {
        int maxKeys = 400;
        int prefilled = 340;
        ItWorkspace ws = ItWorkspace.create(BASES, 5, maxKeys, 100_000_000);
        // Most of the room is taken up front, so the load reaches the limit however slow the machine is.
        String batch = java.util.stream.IntStream.range(0, prefilled).mapToObj(i -> "{\"key\":\"pre-" + i + "\",\"value\":0}")
                .collect(java.util.stream.Collectors.joining(",", "{\"set\":[", "]}"));
        ws.request(0).body(batch).post("/v1/workspaces/{ws}/stores/{ds}/batch", ws.id(), ws.store()).then().statusCode(200);
        List<Integer> statuses = Collections.synchronizedList(new ArrayList<>());
        Map<String, Boolean> acknowledged = new ConcurrentHashMap<>();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger sequence = new AtomicInteger();

        Thread load = new Thread(() -> Parallel.run(8, client -> {
            while (running.get()) {
                String key = "k-" + sequence.incrementAndGet();
                int status = ws.put(client % 2, key).statusCode();
                statuses.add(status);
                if (status == 201) {
                    acknowledged.put(key, true);
                }
                ServiceProcess.sleep(15);
            }
            return null;
        }));
        load.start();
        awaitMoreAnswers(statuses, 20);
        INSTANCES.stopRedis();
        awaitMoreAnswers(statuses, 40);
        INSTANCES.restartRedis();
        awaitMoreAnswers(statuses, 40);
        for (int waited = 0; waited < 300 && !statuses.contains(403); waited++) {
            ServiceProcess.sleep(100);
        }
        running.set(false);
        load.join();

        assertThat(statuses).as("no 5xx while Redis was away").noneMatch(s -> s >= 500);
        assertThat(statuses).as("writes were refused at the limit").contains(403);
        assertThat(acknowledged).hasSizeLessThanOrEqualTo(maxKeys - prefilled);
        List<String> stored = ws.keys();
        assertThat(stored).as("every acknowledged write is stored").containsAll(acknowledged.keySet());
        assertThat(stored).hasSize(prefilled + acknowledged.size());
        awaitUsageKeys(ws, stored.size());
    }

    /** Waits, without a fixed sleep, until the load has had {@code count} more answers: time enough in any phase. */
    private static void awaitMoreAnswers(List<Integer> statuses, int count) {
        int target = statuses.size() + count;
        for (int waited = 0; waited < 600 && statuses.size() < target; waited++) {
            ServiceProcess.sleep(50);
        }
        assertThat(statuses.size()).as("the load kept being answered").isGreaterThanOrEqualTo(target);
    }

    private static void awaitUsageKeys(ItWorkspace ws, int expected) {
        int reported = -1;
        for (int i = 0; i < 50 && reported != expected; i++) {
            ServiceProcess.sleep(200);
            reported = ws.usage(i % 2).get("keys");
        }
        assertThat(reported).as("counters match the database after Redis returned").isEqualTo(expected);
    }
}

package dev.datastores.change;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.datastores.support.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ChangeStreamTest {

    @Test
    void aLongPollAnswersWithTheNextChange() {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        String next = poll(tenant, store, null, 1).getString("next");
        assertThat(next).isEqualTo("0000000000000000");

        tenant.request().body("{\"n\":1}").put(tenant.records(store) + "/k").then().statusCode(201);
        JsonPath page = poll(tenant, store, next, 5);
        assertThat(page.getList("changes")).hasSize(1);
        assertThat(page.getString("changes[0].type")).isEqualTo("set");
        assertThat(page.getString("changes[0].key")).isEqualTo("k");
        assertThat(page.getInt("changes[0].value.n")).isEqualTo(1);
        assertThat(page.getString("changes[0].position")).isEqualTo("0000000000000001");
        assertThat(page.getString("next")).isEqualTo("0000000000000001");
    }

    @Test
    void serverSentEventsCarryEveryKindOfChange() throws Exception {
        Tenant tenant = Tenant.create();
        String store = tenant.newStore("s");
        Sse sse = Sse.open(tenant, store, null);
        tenant.request().body("1").put(tenant.records(store) + "/a").then().statusCode(201);
        tenant.request().delete(tenant.records(store) + "/a").then().statusCode(204);
        tenant.request().body("2").put(tenant.records(store) + "/b").then().statusCode(201);
        tenant.request().delete(tenant.records(store)).then().statusCode(200);
        tenant.request().delete(tenant.stores() + "/" + store).then().statusCode(204);
        List<Sse.Event> events = sse.take(5, Duration.ofSeconds(10));
        assertThat(events).extracting(Sse.Event::name).containsExactly("set", "delete", "set", "clear", "store-deleted");
        assertThat(events.get(0).data()).matches("\\{\"key\":\"a\",\"etag\":\"\\\\\"[0-9]+\\\\\"\",\"value\":1}");
    }

    static JsonPath poll(Tenant tenant, String store, String since, int wait) {
        var request = tenant.request().accept("application/json").queryParam("wait", wait);
        if (since != null) {
            request = request.queryParam("since", since);
        }
        return request.get(tenant.stores() + "/" + store + "/changes").then().statusCode(200).extract().jsonPath();
    }

    /** A Server-Sent Events reader over java.net.http, reading lines as they come. */
    record Sse(BlockingQueue<Event> events, HttpResponse<Stream<String>> response) {

        record Event(String id, String name, String data) {
        }

        static Sse open(Tenant tenant, String store, String lastEventId) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(RestAssured.baseURI + ":" + RestAssured.port
                    + tenant.stores() + "/" + store + "/changes"))
                    .header("Authorization", "Bearer " + tenant.token()).header("Accept", "text/event-stream");
            if (lastEventId != null) {
                request.header("Last-Event-ID", lastEventId);
            }
            HttpResponse<Stream<String>> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofLines());
            assertThat(response.statusCode()).isEqualTo(200);
            BlockingQueue<Event> events = new ArrayBlockingQueue<>(100_000);
            Thread reader = new Thread(() -> {
                String id = null;
                String name = null;
                StringBuilder data = null;
                for (Iterator<String> lines = response.body().iterator(); lines.hasNext(); ) {
                    String line = lines.next();
                    if (line.isEmpty()) {
                        if (data != null || name != null) {
                            events.add(new Event(id, name, data == null ? null : data.toString()));
                        }
                        id = null;
                        name = null;
                        data = null;
                    } else if (line.startsWith("id:")) {
                        id = line.substring(3).trim();
                    } else if (line.startsWith("event:")) {
                        name = line.substring(6).trim();
                    } else if (line.startsWith("data:")) {
                        data = (data == null ? new StringBuilder() : data.append('\n')).append(line.substring(5).stripLeading());
                    }
                }
            });
            reader.setDaemon(true);
            reader.start();
            Thread.sleep(200);
            return new Sse(events, response);
        }

        List<Event> take(int count, Duration within) throws InterruptedException {
            List<Event> taken = new ArrayList<>();
            long deadline = System.nanoTime() + within.toNanos();
            while (taken.size() < count) {
                Event event = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (event == null) {
                    break;
                }
                taken.add(event);
            }
            return taken;
        }
    }
}

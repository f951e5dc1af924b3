package dev.datastores.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A store's change history as the long poll gives it, and the records that replaying it describes, for tests that
 * hold the history to the store: replayed, it must give the store's keys, ETags, values and expiries.
 */
public final class StoreHistory {

    private static final ObjectMapper JSON = new ObjectMapper();

    private StoreHistory() {
    }

    /** Every change after {@code since}, page by page, until a poll of a second finds nothing newer. */
    public static List<Map<String, Object>> readAll(Supplier<RequestSpecification> request, String changesPath, String since) {
        List<Map<String, Object>> all = new ArrayList<>();
        while (true) {
            JsonPath page = request.get().accept("application/json").queryParam("wait", 1).queryParam("since", since)
                    .get(changesPath).then().statusCode(200).extract().jsonPath();
            List<Map<String, Object>> changes = page.getList("changes");
            if (changes.isEmpty()) {
                return all;
            }
            all.addAll(changes);
            since = page.getString("next");
        }
    }

    /** The records a history describes: key to its ETag, value and expiry. */
    public static Map<String, List<Object>> replay(List<Map<String, Object>> changes) {
        Map<String, List<Object>> records = new HashMap<>();
        for (Map<String, Object> change : changes) {
            String key = (String) change.get("key");
            switch ((String) change.get("type")) {
                case "set" -> records.put(key, List.of(change.get("etag"), JSON.valueToTree(change.get("value")),
                        String.valueOf(change.get("expiresAt"))));
                case "delete" -> records.remove(key);
                case "clear" -> records.clear();
                default -> throw new AssertionError("unexpected change " + change);
            }
        }
        return records;
    }

    /** The store's records (up to a listing page of 1,024) in the form {@link #replay} gives. */
    public static Map<String, List<Object>> stored(RequestSpecification request, String recordsPath) {
        Map<String, List<Object>> stored = new HashMap<>();
        request.queryParam("limit", 1024).get(recordsPath).then().statusCode(200).extract().jsonPath()
                .getList("records", Map.class).forEach(record -> stored.put((String) record.get("key"), List.of(
                        record.get("etag"), JSON.valueToTree(record.get("value")), String.valueOf(record.get("expiresAt")))));
        return stored;
    }
}

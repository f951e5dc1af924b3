package dev.datastores.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One committed change of a store, as {@link StoreClient#watch} gives it out.
 *
 * @param position its place in the store's commit order: 16 hex digits, increasing (compare only within a store)
 * @param type {@code set}, {@code delete}, {@code clear} or {@code store-deleted}
 * @param key the record's key ({@code null} for {@code clear} and {@code store-deleted})
 * @param etag the record's version written or removed ({@code null} for {@code clear} and {@code store-deleted})
 * @param value a {@code set}'s value ({@code null} otherwise, or when values were left out); numbers keep their text
 * @param expiresAt a {@code set}'s expiry (RFC 3339), or {@code null}
 * @param reason {@code expired} for a {@code delete} by expiry, else {@code null}
 */
public record Change(String position, String type, String key, String etag, JsonNode value, String expiresAt,
        String reason) {

    public static final String SET = "set";
    public static final String DELETE = "delete";
    public static final String CLEAR = "clear";
    public static final String STORE_DELETED = "store-deleted";

    public boolean isStoreDeleted() {
        return STORE_DELETED.equals(type);
    }
}

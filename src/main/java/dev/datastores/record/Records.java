package dev.datastores.record;

import dev.datastores.codec.RawJson;
import dev.datastores.http.Problems;
import dev.datastores.record.BatchService.SetItem;

/** Reading records out of request JSON, shared by batches and imports. */
public final class Records {

    private Records() {
    }

    /** One {@code {key, value, ttl?}} object. */
    public static SetItem parseSetItem(RawJson item) {
        if (!item.isObject()) {
            throw Problems.invalidRequest("A record is an object {key, value, ttl?}");
        }
        return SetItem.encoding(OperationBody.key(item), OperationBody.value(item), OperationBody.expiry(item));
    }
}

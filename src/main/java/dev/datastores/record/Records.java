package dev.datastores.record;

import dev.datastores.domain.DomainException;
import dev.datastores.codec.RawJson;
import java.util.List;

/** Reading records out of request JSON, shared by batches and imports. */
public final class Records {

    private Records() {
    }

    private static final List<String> SET_ITEM = List.of("key", "value", "ttl");
    /** An export line carries its record's etag and expiresAt, so an import line may too. */
    private static final List<String> IMPORT_LINE = List.of("key", "value", "ttl", "etag", "expiresAt");

    /** One {@code {key, value, ttl?}} object of a batch. */
    public static SetItem parseSetItem(RawJson item) {
        return parse(item, SET_ITEM);
    }

    /** One import line: {@code {key, value, ttl?}}, or a line of an export. */
    public static SetItem parseImportLine(RawJson item) {
        return parse(item, IMPORT_LINE);
    }

    private static SetItem parse(RawJson item, List<String> members) {
        if (!item.isObject()) {
            throw DomainException.invalidRequest("A record is an object {key, value, ttl?}");
        }
        OperationBody.requireOnly(item, members);
        return SetItem.encoding(OperationBody.key(item), OperationBody.value(item), OperationBody.ttl(item));
    }
}

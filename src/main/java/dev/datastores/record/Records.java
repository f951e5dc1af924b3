package dev.datastores.record;

import dev.datastores.domain.DomainException;
import dev.datastores.codec.RawJson;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
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

    private static final List<String> CHECK = List.of("key", "etag", "absent");

    /** One {@code {key, etag}} or {@code {key, absent: true}} object of a batch's checks. */
    public static Check parseCheck(RawJson item) {
        if (!item.isObject()) {
            throw DomainException.invalidRequest("A check is an object {key, etag} or {key, absent: true}");
        }
        OperationBody.requireOnly(item, CHECK);
        String key = OperationBody.key(item);
        RawJson etag = item.member("etag");
        RawJson absent = item.member("absent");
        if ((etag == null) == (absent == null)) {
            throw DomainException.invalidRequest("The check on '" + key + "' takes etag or absent: true, one of them");
        }
        if (absent != null) {
            if (!absent.isTrue()) {
                throw DomainException.invalidRequest("The check on '" + key + "': absent can only be true");
            }
            return Check.absent(key);
        }
        if (!etag.isString()) {
            throw DomainException.invalidRequest("The check on '" + key + "': etag must be a quoted ETag string such as \"\\\"42\\\"\"");
        }
        return Check.etag(key, Etags.versionOfCheck(etag.text(), "The check on '" + key + "': etag"));
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
        Ttl ttl = OperationBody.ttl(item);
        Instant expiresAt = expiresAt(item);
        if (ttl != null && expiresAt != null) {
            throw DomainException.invalidTtl("give ttl or expiresAt, not both");
        }
        return SetItem.encoding(OperationBody.key(item), OperationBody.value(item), ttl, expiresAt);
    }

    /** The moment an import line says its record expires ({@code expiresAt}, RFC 3339, as export writes it), or null. */
    private static Instant expiresAt(RawJson item) {
        RawJson expiresAt = item.member("expiresAt");
        if (expiresAt == null || expiresAt.isNull()) {
            return null;
        }
        if (!expiresAt.isString()) {
            throw DomainException.invalidTtl("expiresAt must be a date-time such as 2026-11-30T12:00:00Z, or null");
        }
        try {
            return OffsetDateTime.parse(expiresAt.text()).toInstant().truncatedTo(ChronoUnit.MICROS);
        } catch (DateTimeParseException e) {
            throw DomainException.invalidTtl("expiresAt must be a date-time such as 2026-11-30T12:00:00Z, or null");
        }
    }
}

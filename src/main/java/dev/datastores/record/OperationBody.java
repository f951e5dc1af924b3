package dev.datastores.record;

import dev.datastores.domain.DomainException;
import dev.datastores.codec.JsonValues;
import dev.datastores.codec.RawJson;
import dev.datastores.http.MediaTypes;
import java.math.BigDecimal;
import java.util.List;

/** The JSON body of a store-level operation, with its members read and validated the same way everywhere. */
final class OperationBody {

    private final RawJson json;

    private OperationBody(RawJson json) {
        this.json = json;
    }

    static OperationBody parse(String contentType, byte[] body) {
        MediaTypes.requireJson(contentType);
        if (body == null || body.length == 0) {
            throw DomainException.invalidJson("The body is empty; send a JSON object");
        }
        return new OperationBody(RawJson.parseObject(body));
    }

    /**
     * Throws invalid-request when the body has a member the operation does not take: a misspelt {@code sets}, or a
     * condition an operation does not evaluate, must not pass for a request that did what it asked.
     */
    OperationBody takingOnly(String... members) {
        requireOnly(json, List.of(members));
        return this;
    }

    static void requireOnly(RawJson object, List<String> members) {
        for (String name : object.members().keySet()) {
            if (!members.contains(name)) {
                throw DomainException.invalidRequest("Unknown member '" + name + "'; this takes " + String.join(", ", members));
            }
        }
    }

    String key() {
        return key(json);
    }

    static String key(RawJson holder) {
        RawJson key = holder.member("key");
        if (key == null || !key.isString()) {
            throw DomainException.invalidKey("key must be a string");
        }
        return Keys.require(key.text());
    }

    /** The exact bytes of the required member {@code value}. */
    byte[] value() {
        return value(json);
    }

    static byte[] value(RawJson holder) {
        RawJson value = holder.member("value");
        if (value == null) {
            throw DomainException.invalidRequest("value is required");
        }
        byte[] bytes = value.bytes();
        JsonValues.requireSingleValueOfCheckedText(bytes);
        return bytes;
    }

    /** The TTL asked for by an optional {@code ttl} member; null when absent or null. */
    Ttl ttl() {
        return ttl(json);
    }

    static Ttl ttl(RawJson holder) {
        RawJson ttl = holder.member("ttl");
        if (ttl == null || ttl.isNull()) {
            return null;
        }
        if (!ttl.isNumber()) {
            throw DomainException.invalidTtl("ttl must be a whole number of seconds");
        }
        return Ttl.fromJsonNumber(ttl.text());
    }

    /** The optional array member {@code name} (absent is empty); each element must be an object or a string. */
    List<RawJson> array(String name) {
        RawJson array = json.member(name);
        if (array == null || array.isNull()) {
            return List.of();
        }
        if (!array.isArray()) {
            throw DomainException.invalidRequest(name + " must be an array");
        }
        return array.elements();
    }

    /** The optional array of keys {@code name}. */
    List<String> keys(String name) {
        return array(name).stream().map(element -> {
            if (!element.isString()) {
                throw DomainException.invalidKey(name + " must hold key strings");
            }
            return Keys.require(element.text());
        }).toList();
    }

    boolean has(String member) {
        return json.member(member) != null;
    }

    BigDecimal number(String member, BigDecimal absent) {
        RawJson number = json.member(member);
        if (number == null) {
            return absent;
        }
        if (!number.isNumber()) {
            throw DomainException.invalidRequest(member + " must be a JSON number");
        }
        try {
            return number.decimal();
        } catch (NumberFormatException e) {
            // an exponent past what a decimal can hold at all, like 1e-2147483648
            throw DomainException.invalidRequest(member + " is out of range");
        }
    }
}

package dev.datastores.record;

import dev.datastores.domain.DomainException;
import dev.datastores.domain.DomainException.Limit;
import dev.datastores.domain.DomainException.QuotaExceeded;
import dev.datastores.domain.DomainException.NotFound;
import dev.datastores.domain.DomainException.RecordNotFound;
import dev.datastores.domain.DomainException.ValueTooLarge;
import dev.datastores.domain.DomainException.WrongType;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.datastores.codec.JsonValues;
import dev.datastores.codec.ValueCodec;
import dev.datastores.quota.Delta;
import dev.datastores.quota.QuotaService;
import dev.datastores.quota.StoreDelta;
import dev.datastores.quota.Written;
import dev.datastores.record.RecordStorage.PutOutcome;
import dev.datastores.tenant.Plan;
import dev.datastores.tenant.PlanDirectory;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.function.UnaryOperator;

/**
 * Read-modify-write operations on one record, each in one transaction that holds the record's row lock
 * from the read to the write: increments, appends, get-or-create. No lock is held across a Redis call:
 * quota is reserved before the transaction and settled after it.
 */
@ApplicationScoped
public class AtomicService {

    private static final JsonFactory JSON = new JsonFactory();
    private static final int MAX_DIGITS = 1000;

    private final RecordStorage records;
    private final Clock clock;
    private final PlanDirectory plans;
    private final QuotaService quota;

    public AtomicService(RecordStorage records, PlanDirectory plans, QuotaService quota, Clock clock) {
        this.records = records;
        this.clock = clock;
        this.plans = plans;
        this.quota = quota;
    }

    /** Adds {@code by} to the number stored under the key (absent counts as 0), in exact decimal arithmetic. */
    public Uni<Modified> increment(String workspaceId, String storeId, String key, BigDecimal by, Ttl ttl) {
        requireWritableOut(by, "by");
        // the sum's text is at most two characters longer than the longer operand
        long growthBound = by.toPlainString().length() + 3;
        return modify(workspaceId, storeId, key, growthBound, ttl, current -> {
            BigDecimal stored = current == null ? BigDecimal.ZERO : number(key, current);
            requireWritableOut(stored, "The stored number");
            BigDecimal sum = stored.add(by);
            return sum.toPlainString().getBytes(StandardCharsets.UTF_8);
        });
    }

    /** Appends a JSON value to the array stored under the key; absent becomes {@code [value]}. */
    public Uni<Modified> append(String workspaceId, String storeId, String key, byte[] value, Ttl ttl) {
        return modify(workspaceId, storeId, key, value.length + 16L, ttl, current -> {
            if (current == null) {
                return concat("[", value, "]");
            }
            String text = new String(current, StandardCharsets.UTF_8).strip();
            if (!text.startsWith("[")) {
                throw new WrongType(key, WrongType.Expected.ARRAY);
            }
            String body = text.substring(1, text.length() - 1);
            return body.isBlank() ? concat("[", value, "]") : concat(text.substring(0, text.length() - 1) + ",", value, "]");
        });
    }

    /** The live record under the key, or stores the value there when there is none. */
    public Uni<Modified> getOrCreate(String workspaceId, String storeId, String key, byte[] value, Ttl ttl) {
        return modify(workspaceId, storeId, key, value.length + 16L, ttl, current -> current == null ? value : null);
    }

    /** Sets (or with null clears) a live record's expiry. */
    public Uni<Instant> expire(String workspaceId, String storeId, String key, Ttl ttl) {
        Instant expiresAt = Ttl.expiryOf(ttl, clock);
        return records.expire(workspaceId, storeId, key, expiresAt).chain(updated -> updated
                ? Uni.createFrom().item(expiresAt)
                : records.storeExists(workspaceId, storeId).map(exists -> {
                    throw exists ? new RecordNotFound(key) : new NotFound("Store " + storeId);
                }));
    }

    /** How many elements a JSON array has. */
    public static int arrayLength(byte[] array) {
        try (JsonParser parser = JSON.createParser(array)) {
            parser.nextToken();
            int length = 0;
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                parser.skipChildren();
                length++;
            }
            return length;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs {@code change} on the live value (null when absent or expired) under the row lock, and writes
     * what it returns (nothing when it returns null). Quota is reserved for a new key and
     * {@code growthBound} bytes; a key that exists needs no new key, which a refusal at the key limit
     * checks before giving up.
     */
    private Uni<Modified> modify(String workspaceId, String storeId, String key, long growthBound, Ttl ttl,
            UnaryOperator<byte[]> change) {
        Instant expiresAt = Ttl.expiryOf(ttl, clock);
        return plans.planOf(workspaceId).chain(plan -> quota.guardTransaction(workspaceId, plan,
                        new Delta(0, 1, growthBound + 1), tx -> modifyLocked(tx, plan, workspaceId, storeId, key, expiresAt, change))
                .onFailure(failure -> QuotaExceeded.at(failure, Limit.KEYS))
                .recoverWithUni(refusal -> records.physical(workspaceId, storeId, key).chain(row -> row == null
                        ? Uni.createFrom().failure(refusal)
                        : quota.guardTransaction(workspaceId, plan, new Delta(0, 0, growthBound + 1),
                                tx -> modifyLocked(tx, plan, workspaceId, storeId, key, expiresAt, change)))));
    }

    private Uni<Written<Modified>> modifyLocked(SqlConnection tx, Plan plan, String workspaceId, String storeId, String key,
            Instant expiresAt, UnaryOperator<byte[]> change) {
        return records.lockRow(tx, workspaceId, storeId, key).chain(row -> {
            byte[] current = row == null || !row.live() ? null : ValueCodec.decode(row.storedValue());
            byte[] next = change.apply(current);
            if (next == null) {
                return Uni.createFrom().item(new Written<>(new Modified(key, current, row.version(), false), Delta.NONE, null));
            }
            if (next.length > plan.maxValueBytes) {
                throw new ValueTooLarge(next.length, plan.maxValueBytes);
            }
            JsonValues.requireSingleValueOfCheckedText(next);
            byte[] stored = ValueCodec.encode(next);
            Instant expiry = expiresAt != null ? expiresAt : row != null && row.live() ? row.expiresAt() : null;
            if (row == null) {
                return records.put(tx, workspaceId, storeId, key, stored, next.length, expiry, null, false, true)
                        .chain(outcome -> switch (outcome.kind()) {
                            case NO_STORE -> throw new NotFound("Store " + storeId);
                            // another transaction created the key meanwhile: it is locked now, decide again
                            case PRECONDITION_FAILED -> modifyLocked(tx, plan, workspaceId, storeId, key, expiresAt, change);
                            case CREATED, REPLACED -> Uni.createFrom().item(written(storeId, key, next, stored, outcome));
                        });
            }
            return records.rewrite(tx, storeId, key, stored, next.length, expiry, row)
                    .map(outcome -> written(storeId, key, next, stored, outcome));
        });
    }

    private static Written<Modified> written(String storeId, String key, byte[] json, byte[] stored, PutOutcome outcome) {
        long newKeys = outcome.oldRowExisted() ? 0 : 1;
        return new Written<>(new Modified(key, json, outcome.version(), outcome.kind() == PutOutcome.Kind.CREATED),
                new Delta(0, newKeys, stored.length - outcome.oldStoredBytes()),
                new StoreDelta(storeId, newKeys, stored.length - outcome.oldStoredBytes(), json.length - outcome.oldRawBytes()));
    }

    /**
     * Sums are exact and written out in plain digits, so an operand like 1e999999999 would take minutes and
     * gigabytes to add and print: refuse operands past {@value #MAX_DIGITS} digits either side of the point.
     */
    private static void requireWritableOut(BigDecimal number, String what) {
        long integerDigits = (long) number.precision() - number.scale();
        if (integerDigits > MAX_DIGITS || number.scale() > MAX_DIGITS) {
            throw DomainException.invalidRequest(what + " has more than " + MAX_DIGITS + " digits written out; increment adds smaller numbers");
        }
    }

    private static BigDecimal number(String key, byte[] json) {
        String text = new String(json, StandardCharsets.UTF_8).strip();
        if (text.isEmpty() || !(text.charAt(0) == '-' || Character.isDigit(text.charAt(0)))) {
            throw new WrongType(key, WrongType.Expected.NUMBER);
        }
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            throw new WrongType(key, WrongType.Expected.NUMBER);
        }
    }

    private static byte[] concat(String before, byte[] middle, String after) {
        byte[] head = before.getBytes(StandardCharsets.UTF_8);
        byte[] tail = after.getBytes(StandardCharsets.UTF_8);
        byte[] joined = new byte[head.length + middle.length + tail.length];
        System.arraycopy(head, 0, joined, 0, head.length);
        System.arraycopy(middle, 0, joined, head.length, middle.length);
        System.arraycopy(tail, 0, joined, head.length + middle.length, tail.length);
        return joined;
    }

    /** A record after an operation: its value, ETag version, and whether the operation created it. */
    public record Modified(String key, byte[] value, long version, boolean created) {
    }
}

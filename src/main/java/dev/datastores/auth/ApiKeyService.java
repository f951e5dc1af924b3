package dev.datastores.auth;

import dev.datastores.domain.DomainException;
import dev.datastores.domain.DomainException.NotFound;
import dev.datastores.domain.DomainException.Unauthenticated;
import dev.datastores.auth.ApiKey.ApiKeyView;
import dev.datastores.auth.ApiKey.CreatedApiKey;
import dev.datastores.workspace.Ids;
import dev.datastores.workspace.Workspace;
import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.quarkus.cache.CacheResult;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.RestResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/** Issues, lists, revokes and recognises workspace API keys. */
@ApplicationScoped
public class ApiKeyService {

    private final Cache callers;

    public ApiKeyService(@CacheName("api-keys") Cache callers) {
        this.callers = callers;
    }

    /** Issues a key; the answer (201) is the only time its token is shown. */
    public Uni<RestResponse<CreatedApiKey>> create(String workspaceId, KeyRequest request) {
        KeyRequest body = request == null ? new KeyRequest(null, null) : request;
        return create(workspaceId, body.name(), body.scopes()).map(key -> RestResponse.status(Response.Status.CREATED, key));
    }

    @WithTransaction
    Uni<CreatedApiKey> create(String workspaceId, String name, List<String> scopeNames) {
        String keyName = requireName(name);
        Set<Scope> scopes = Scope.parse(scopeNames);
        // Share-locked until the key is inserted: a workspace deleted meanwhile is either gone first (404) or
        // waits and takes the new key with it.
        return Workspace.<Workspace>findById(workspaceId, LockModeType.PESSIMISTIC_READ)
                .onItem().ifNull().failWith(() -> new NotFound("Workspace " + workspaceId))
                .chain(workspace -> {
                    String token = Tokens.generate();
                    ApiKey key = new ApiKey();
                    key.id = Ids.next("key_");
                    key.workspaceId = workspaceId;
                    key.name = keyName;
                    key.scopes = Scope.toColumn(scopes);
                    key.tokenHash = Tokens.hash(token);
                    key.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
                    return key.<ApiKey>persist().map(saved -> new CreatedApiKey(saved.id, saved.name,
                            Scope.wireNames(scopes), saved.createdAt, token));
                });
    }

    @WithTransaction
    public Uni<List<ApiKeyView>> list(String workspaceId) {
        return ApiKey.<ApiKey>list("workspaceId = ?1 order by createdAt", workspaceId)
                .map(keys -> keys.stream().map(ApiKey::view).toList());
    }

    /**
     * Revokes a key, then forgets it here. Only once the deletion has committed: a lookup before the commit would
     * still find the key and cache it again.
     */
    public Uni<Void> revoke(String workspaceId, String keyId) {
        return delete(workspaceId, keyId).call(tokenHash -> callers.invalidate(HexFormat.of().formatHex(tokenHash)))
                .replaceWithVoid();
    }

    /** Deletes the key and answers its token's hash; the row lock makes a second revocation wait, then find nothing. */
    @WithTransaction
    Uni<byte[]> delete(String workspaceId, String keyId) {
        return ApiKey.<ApiKey>find("id = ?1 and workspaceId = ?2", keyId, workspaceId).withLock(LockModeType.PESSIMISTIC_WRITE)
                .firstResult()
                .onItem().ifNull().failWith(() -> new NotFound("API key " + keyId))
                .call(key -> key.delete())
                .map(key -> key.tokenHash);
    }

    /**
     * Resolves a presented token; cached for 900 ms from the lookup's answer, which bounds how long a key revoked
     * on another replica still works there: under one second, the lookup's own round trip included.
     */
    public Uni<Caller> authenticate(String token) {
        return lookup(HexFormat.of().formatHex(Tokens.hash(token)));
    }

    @CacheResult(cacheName = "api-keys")
    @WithTransaction
    Uni<Caller> lookup(String tokenHashHex) {
        byte[] hash = HexFormat.of().parseHex(tokenHashHex);
        return ApiKey.<ApiKey>find("tokenHash", hash).firstResult()
                .onItem().ifNull().failWith(Unauthenticated::new)
                .call(key -> ApiKey.update("lastUsedAt = ?1 where id = ?2", Instant.now(), key.id))
                .map(key -> new Caller(key.id, key.workspaceId, Scope.fromColumn(key.scopes)));
    }

    /** Body of key creation. */
    public record KeyRequest(String name, List<String> scopes) {
    }

    static String requireName(String name) {
        if (name == null || name.isBlank() || name.length() > 200) {
            throw DomainException.invalidRequest("name must be 1 to 200 characters");
        }
        return name;
    }
}

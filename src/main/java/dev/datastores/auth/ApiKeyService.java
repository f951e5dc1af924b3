package dev.datastores.auth;

import dev.datastores.domain.DomainException;
import dev.datastores.domain.DomainException.NotFound;
import dev.datastores.domain.DomainException.Unauthenticated;
import dev.datastores.tenant.ApiKey;
import dev.datastores.tenant.Ids;
import dev.datastores.tenant.TenantStorage;
import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.quarkus.cache.CacheResult;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Issues, lists, revokes and recognises workspace API keys. */
@ApplicationScoped
public class ApiKeyService {

    private final Cache callers;
    private final TenantStorage tenants;

    public ApiKeyService(@CacheName("api-keys") Cache callers, TenantStorage tenants) {
        this.callers = callers;
        this.tenants = tenants;
    }

    /** Issues a key; the answer is the only time its token is shown. */
    public Uni<CreatedApiKey> create(String workspaceId, KeyRequest request) {
        KeyRequest body = request == null ? new KeyRequest(null, null) : request;
        String keyName = requireName(body.name());
        Set<Scope> scopes = Scope.parse(body.scopes());
        String token = Tokens.generate();
        ApiKey key = new ApiKey();
        key.id = Ids.next("key_");
        key.workspaceId = workspaceId;
        key.name = keyName;
        key.scopes = Scope.toColumn(scopes);
        key.tokenHash = Tokens.hash(token);
        return tenants.createKey(key).onItem().ifNull().failWith(() -> new NotFound("Workspace " + workspaceId))
                .map(saved -> new CreatedApiKey(saved.id, saved.name, Scope.wireNames(scopes), saved.createdAt, token));
    }

    public Uni<List<ApiKeyView>> list(String workspaceId) {
        return tenants.keys(workspaceId).map(keys -> keys.stream().map(ApiKeyService::view).toList());
    }

    /**
     * Revokes a key, then forgets it here. Only once the deletion has committed: a lookup before the commit would
     * still find the key and cache it again.
     */
    public Uni<Void> revoke(String workspaceId, String keyId) {
        return tenants.deleteKey(workspaceId, keyId).onItem().ifNull().failWith(() -> new NotFound("API key " + keyId))
                .call(tokenHash -> callers.invalidate(HexFormat.of().formatHex(tokenHash)))
                .replaceWithVoid();
    }

    /**
     * Resolves a presented token; cached for 900 ms from the lookup's answer, which bounds how long a key revoked
     * on another replica still works there: under one second, the lookup's own round trip included.
     */
    public Uni<Caller> authenticate(String token) {
        return lookup(HexFormat.of().formatHex(Tokens.hash(token))).map(caller -> caller.orElseThrow(Unauthenticated::new));
    }

    /**
     * An unknown token is an answer too, cached like a known one: a flood of bad tokens costs one lookup per token
     * per 900 ms, and a failed lookup is not an error of the cache (which would log each one).
     */
    @CacheResult(cacheName = "api-keys")
    Uni<Optional<Caller>> lookup(String tokenHashHex) {
        return tenants.useKey(HexFormat.of().parseHex(tokenHashHex))
                .map(key -> key == null ? Optional.empty() : Optional.of(new Caller(key.workspaceId, Scope.fromColumn(key.scopes))));
    }

    private static ApiKeyView view(ApiKey key) {
        return new ApiKeyView(key.id, key.name, Scope.wireNames(Scope.fromColumn(key.scopes)), key.createdAt, key.lastUsedAt);
    }

    static String requireName(String name) {
        if (name == null || name.isBlank() || name.length() > 200) {
            throw DomainException.invalidRequest("name must be 1 to 200 characters");
        }
        return name;
    }

    /** Body of key creation. */
    public record KeyRequest(String name, List<String> scopes) {
    }

    /** How the API shows a key: never its token or hash. */
    public record ApiKeyView(String id, String name, List<String> scopes, Instant createdAt, Instant lastUsedAt) {
    }

    /** The answer to a key's creation: the only time the token is shown. */
    public record CreatedApiKey(String id, String name, List<String> scopes, Instant createdAt, String token) {
    }
}

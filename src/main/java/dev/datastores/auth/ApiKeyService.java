package dev.datastores.auth;

import dev.datastores.auth.ApiKey.ApiKeyView;
import dev.datastores.auth.ApiKey.CreatedApiKey;
import dev.datastores.http.Problems;
import dev.datastores.workspace.Ids;
import dev.datastores.workspace.Workspace;
import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.quarkus.cache.CacheResult;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
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
        return Workspace.<Workspace>findById(workspaceId)
                .onItem().ifNull().failWith(() -> Problems.notFound("Workspace " + workspaceId))
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

    @WithTransaction
    public Uni<Void> revoke(String workspaceId, String keyId) {
        return ApiKey.<ApiKey>find("id = ?1 and workspaceId = ?2", keyId, workspaceId).firstResult()
                .onItem().ifNull().failWith(() -> Problems.notFound("API key " + keyId))
                .call(key -> key.delete())
                .call(key -> callers.invalidate(HexFormat.of().formatHex(key.tokenHash)))
                .replaceWithVoid();
    }

    /** Resolves a presented token; cached for one second, which bounds how long a revoked key still works. */
    public Uni<Caller> authenticate(String token) {
        return lookup(HexFormat.of().formatHex(Tokens.hash(token)));
    }

    @CacheResult(cacheName = "api-keys")
    @WithTransaction
    Uni<Caller> lookup(String tokenHashHex) {
        byte[] hash = HexFormat.of().parseHex(tokenHashHex);
        return ApiKey.<ApiKey>find("tokenHash", hash).firstResult()
                .onItem().ifNull().failWith(Problems::unauthorized)
                .call(key -> ApiKey.update("lastUsedAt = ?1 where id = ?2", Instant.now(), key.id))
                .map(key -> new Caller(key.id, key.workspaceId, Scope.fromColumn(key.scopes)));
    }

    /** Body of key creation. */
    public record KeyRequest(String name, List<String> scopes) {
    }

    static String requireName(String name) {
        if (name == null || name.isBlank() || name.length() > 200) {
            throw Problems.invalidRequest("name must be 1 to 200 characters");
        }
        return name;
    }
}

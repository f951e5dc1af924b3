package dev.datastores.auth;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A workspace API key. Only the SHA-256 of its token is kept. */
@Entity
@Table(name = "api_keys")
public class ApiKey extends PanacheEntityBase {

    @Id
    public String id;

    @Column(name = "workspace_id")
    public String workspaceId;

    public String name;

    public String scopes;

    @Column(name = "token_hash")
    public byte[] tokenHash;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "last_used_at")
    public Instant lastUsedAt;

    public ApiKeyView view() {
        return new ApiKeyView(id, name, Scope.wireNames(Scope.fromColumn(scopes)), createdAt, lastUsedAt);
    }

    /** How the API shows a key: never its token or hash. */
    public record ApiKeyView(String id, String name, java.util.List<String> scopes, Instant createdAt, Instant lastUsedAt) {
    }

    /** The answer to a key's creation: the only time the token is shown. */
    public record CreatedApiKey(String id, String name, java.util.List<String> scopes, Instant createdAt, String token) {
    }
}

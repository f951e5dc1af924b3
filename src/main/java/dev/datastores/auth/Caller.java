package dev.datastores.auth;

import java.util.Set;

/** Who is calling: the workspace an API key belongs to and what it may do. */
public record Caller(String workspaceId, Set<Scope> scopes) {
}

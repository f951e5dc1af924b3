package dev.datastores.auth;

import dev.datastores.http.Problems;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every {@code /v1} request: who is calling, may they call this route, and is the workspace in the path
 * theirs. Another workspace's ids answer 404, exactly as ids that do not exist.
 */
public class AuthFilter {

    public static final String CALLER = "datastores.caller";
    private static final String BEARER = "Bearer ";

    private final ApiKeyService keys;
    private final AuthConfig config;

    public AuthFilter(ApiKeyService keys, AuthConfig config) {
        this.keys = keys;
        this.config = config;
    }

    @ServerRequestFilter(priority = 100, nonBlocking = true)
    public Uni<Void> authenticate(ContainerRequestContext request, ResourceInfo resource) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/v1/")) {
            return Uni.createFrom().voidItem();
        }
        String token = bearerToken(request.getHeaderString(HttpHeaders.AUTHORIZATION));
        if (token == null) {
            return Uni.createFrom().failure(Problems.unauthorized());
        }
        boolean operator = config.adminToken().filter(admin -> !admin.isBlank())
                .map(admin -> Tokens.matches(token, admin)).orElse(false);
        if (path.startsWith("/v1/admin/") || path.equals("/v1/admin")) {
            if (operator) {
                return Uni.createFrom().voidItem();
            }
            // Only a key that exists is "known but not allowed" (403); an unknown one is 401 like any bad token.
            return token.startsWith(Tokens.PREFIX)
                    ? keys.authenticate(token).onItem().failWith(caller -> Problems.forbidden("Operator routes need the operator token"))
                            .replaceWithVoid()
                    : Uni.createFrom().failure(Problems.unauthorized());
        }
        if (operator) {
            return Uni.createFrom().failure(Problems.forbidden("The operator token only opens /v1/admin"));
        }
        if (!token.startsWith(Tokens.PREFIX)) {
            return Uni.createFrom().failure(Problems.unauthorized());
        }
        return keys.authenticate(token).invoke(caller -> authorize(caller, request, resource)).replaceWithVoid();
    }

    private static void authorize(Caller caller, ContainerRequestContext request, ResourceInfo resource) {
        RequiresScope required = resource.getResourceMethod() == null ? null
                : resource.getResourceMethod().getAnnotation(RequiresScope.class);
        String workspace = request.getUriInfo().getPathParameters().getFirst("ws");
        if (workspace != null && !workspace.equals(caller.workspaceId())) {
            throw Problems.notFound("Workspace " + workspace);
        }
        if (required == null || !caller.scopes().contains(required.value())) {
            throw Problems.forbidden("This key lacks the '" + (required == null ? "operator" : required.value().wireName())
                    + "' scope");
        }
        request.setProperty(CALLER, caller);
    }

    private static String bearerToken(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        String token = authorization.substring(BEARER.length()).trim();
        return token.isEmpty() ? null : token;
    }
}

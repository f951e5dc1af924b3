package dev.datastores.auth;

import dev.datastores.http.ApiRoute;
import dev.datastores.http.Problems;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
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
    public Uni<Void> authenticate(ContainerRequestContext request, ResourceInfo resource, RoutingContext routing) {
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
        return keys.authenticate(token).invoke(caller -> authorize(caller, request, resource, routing)).replaceWithVoid();
    }

    private static void authorize(Caller caller, ContainerRequestContext request, ResourceInfo resource, RoutingContext routing) {
        ApiRoute route = resource.getResourceMethod() == null ? null : ApiRoute.of(resource.getResourceMethod()).orElse(null);
        String workspace = request.getUriInfo().getPathParameters().getFirst("ws");
        if (workspace != null && !workspace.equals(caller.workspaceId())) {
            throw Problems.notFound("Workspace " + workspace);
        }
        if (route == null || route.isOperatorRoute()) {
            throw Problems.forbidden("This route is not open to workspace keys");
        }
        Set<Scope> missing = EnumSet.copyOf(Scope.neededFor(route));
        missing.removeAll(caller.scopes());
        if (!missing.isEmpty()) {
            throw Problems.forbidden("This key lacks the " + missing.stream().map(scope -> "'" + scope.wireName() + "'")
                    .collect(Collectors.joining(" and ")) + " scope" + (missing.size() > 1 ? "s" : ""));
        }
        routing.put(CALLER, caller);
    }

    /** The workspace key this request was authorised with; null for operator and unauthenticated requests. */
    public static Caller callerOf(RoutingContext routing) {
        return routing.get(CALLER);
    }

    /** Throws forbidden unless the request's key holds the scope: for what a route does only with some bodies. */
    public static void requireScope(RoutingContext routing, Scope scope, String why) {
        Caller caller = callerOf(routing);
        if (caller == null || !caller.scopes().contains(scope)) {
            throw Problems.forbidden("This key lacks the '" + scope.wireName() + "' scope, which " + why + " needs");
        }
    }

    private static String bearerToken(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        String token = authorization.substring(BEARER.length()).trim();
        return token.isEmpty() ? null : token;
    }
}

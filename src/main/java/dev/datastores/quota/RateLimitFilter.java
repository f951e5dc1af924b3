package dev.datastores.quota;

import dev.datastores.auth.AuthFilter;
import dev.datastores.auth.Caller;
import dev.datastores.http.Problems;
import dev.datastores.tenant.PlanDirectory;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/** Applies the plan's requestsPerSecond to every request made with a workspace key, and reports it in RateLimit headers. */
public class RateLimitFilter {

    private static final String DECISION = "datastores.rate-limit";

    private final RateLimiter limiter;
    private final PlanDirectory plans;

    public RateLimitFilter(RateLimiter limiter, PlanDirectory plans) {
        this.limiter = limiter;
        this.plans = plans;
    }

    @ServerRequestFilter(priority = 200, nonBlocking = true)
    public Uni<Void> limit(ContainerRequestContext request, RoutingContext routing) {
        Caller caller = AuthFilter.callerOf(routing);
        if (caller == null) {
            return Uni.createFrom().voidItem();
        }
        return plans.planOf(caller.workspaceId())
                .chain(plan -> limiter.hit(caller.workspaceId(), plan.requestsPerSecond))
                .invoke(decision -> {
                    if (!decision.allowed()) {
                        throw Problems.rateLimited(decision.limit(), decision.resetSeconds());
                    }
                    request.setProperty(DECISION, decision);
                })
                .replaceWithVoid();
    }

    @ServerResponseFilter
    public void headers(ContainerRequestContext request, ContainerResponseContext response) {
        if (request.getProperty(DECISION) instanceof RateLimiter.Decision decision) {
            response.getHeaders().putSingle("RateLimit-Limit", decision.limit());
            response.getHeaders().putSingle("RateLimit-Remaining", decision.remaining());
            response.getHeaders().putSingle("RateLimit-Reset", decision.resetSeconds());
        }
    }
}

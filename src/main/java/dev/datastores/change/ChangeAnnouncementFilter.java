package dev.datastores.change;

import dev.datastores.http.ApiRoute;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ResourceInfo;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Every request that changed a store's records (or deleted the store) answers after its commit; as it does, the
 * store's watchers are woken: here at once, on other replicas through Redis. Requests are where every change a
 * client makes passes, whatever operation made it; what no request makes (expiry, export jobs) is found by polling.
 */
public class ChangeAnnouncementFilter {

    private final ChangeFeed feed;

    public ChangeAnnouncementFilter(ChangeFeed feed) {
        this.feed = feed;
    }

    @ServerResponseFilter
    public void announce(ContainerRequestContext request, ContainerResponseContext response, ResourceInfo resource) {
        if (response.getStatus() >= 300 || resource.getResourceMethod() == null) {
            return;
        }
        ApiRoute route = ApiRoute.of(resource.getResourceMethod()).orElse(null);
        if (route != null && (route.effects().contains(ApiRoute.Effect.CHANGES_RECORDS) || route == ApiRoute.DELETE_STORE)) {
            String storeId = request.getUriInfo().getPathParameters().getFirst("ds");
            if (storeId != null) {
                feed.committed(storeId);
            }
        }
    }
}

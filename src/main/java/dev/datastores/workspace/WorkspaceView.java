package dev.datastores.workspace;

import dev.datastores.quota.Usage;
import dev.datastores.tenant.Plan.PlanView;
import java.time.Instant;

/** A workspace as the API shows it: with its plan's limits and what it uses of them. */
public record WorkspaceView(String id, String name, PlanView plan, Usage usage, Instant createdAt) {
}

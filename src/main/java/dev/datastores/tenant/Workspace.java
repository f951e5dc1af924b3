package dev.datastores.tenant;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A tenant: it owns stores, records and API keys, within the limits of its plan. */
@Entity
@Table(name = "workspaces")
public class Workspace extends PanacheEntityBase {

    @Id
    public String id;

    public String name;

    public String plan;

    @Column(name = "created_at")
    public Instant createdAt;
}

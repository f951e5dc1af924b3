package dev.datastores.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A named set of records inside a workspace. */
@Entity
@Table(name = "stores")
public class Store extends PanacheEntityBase {

    @Id
    public String id;

    @Column(name = "workspace_id")
    public String workspaceId;

    public String name;

    @Column(name = "created_at")
    public Instant createdAt;
}

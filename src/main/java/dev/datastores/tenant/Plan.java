package dev.datastores.tenant;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** The limits a workspace lives within. */
@Entity
@Table(name = "plans")
public class Plan extends PanacheEntityBase {

    @Id
    public String name;

    @Column(name = "max_stores")
    public int maxStores;

    @Column(name = "max_keys")
    public long maxKeys;

    @Column(name = "max_storage_bytes")
    public long maxStorageBytes;

    @Column(name = "max_value_bytes")
    public int maxValueBytes;

    @Column(name = "requests_per_second")
    public int requestsPerSecond;

    /** Open change streams of a workspace, across replicas. */
    @Column(name = "max_watchers")
    public int maxWatchers;

    /** What a plan put without {@code maxWatchers} allows. */
    public static final int DEFAULT_MAX_WATCHERS = 10;

    /** A plan of the given name with these limits, as an operator puts it. */
    public static Plan of(String name, PlanView limits) {
        Plan plan = new Plan();
        plan.name = name;
        plan.maxStores = limits.maxStores();
        plan.maxKeys = limits.maxKeys();
        plan.maxStorageBytes = limits.maxStorageBytes();
        plan.maxValueBytes = limits.maxValueBytes();
        plan.requestsPerSecond = limits.requestsPerSecond();
        plan.maxWatchers = limits.maxWatchers() == null ? DEFAULT_MAX_WATCHERS : limits.maxWatchers();
        return plan;
    }

    public PlanView view() {
        return new PlanView(name, maxStores, maxKeys, maxStorageBytes, maxValueBytes, requestsPerSecond, maxWatchers);
    }

    /** A plan as the API shows and accepts it. */
    public record PlanView(String name, Integer maxStores, Long maxKeys, Long maxStorageBytes, Integer maxValueBytes,
            Integer requestsPerSecond, Integer maxWatchers) {
    }
}

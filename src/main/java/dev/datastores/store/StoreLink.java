package dev.datastores.store;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;

/** A workflow (or other consumer) that uses a store; a linked store cannot be deleted. */
@Entity
@Table(name = "store_links")
@IdClass(StoreLink.Key.class)
public class StoreLink extends PanacheEntityBase {

    @Id
    @Column(name = "store_id")
    public String storeId;

    @Id
    public String id;

    public String name;

    public String kind;

    @Column(name = "created_at")
    public Instant createdAt;

    public LinkView view() {
        return new LinkView(id, name, kind);
    }

    /** A link as the API shows it. */
    public record LinkView(String id, String name, String kind) {
    }

    /** The composite primary key. */
    public static class Key implements Serializable {
        public String storeId;
        public String id;

        public Key() {
        }

        public Key(String storeId, String id) {
            this.storeId = storeId;
            this.id = id;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && key.storeId.equals(storeId) && key.id.equals(id);
        }

        @Override
        public int hashCode() {
            return storeId.hashCode() * 31 + id.hashCode();
        }
    }
}

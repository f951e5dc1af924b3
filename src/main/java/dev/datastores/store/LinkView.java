package dev.datastores.store;

/** A link as the API shows it: a workflow (or other consumer) that uses a store; a linked store cannot be deleted. */
public record LinkView(String id, String name, String kind) {
}

package dev.datastores.auth;

import dev.datastores.domain.DomainException;
import dev.datastores.http.ApiRoute;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a workspace API key may do. A route's scopes follow from what it does ({@link ApiRoute.Effect}): returning
 * stored data needs read, changing records needs write, changing stores, links or keys needs manage.
 */
public enum Scope {
    READ, WRITE, MANAGE;

    /** The scopes a workspace key needs for a route; empty for operator routes, which no key opens. */
    public static Set<Scope> neededFor(ApiRoute route) {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (ApiRoute.Effect effect : route.effects()) {
            switch (effect) {
                case RETURNS_DATA -> scopes.add(READ);
                case CHANGES_RECORDS -> scopes.add(WRITE);
                case MANAGES -> scopes.add(MANAGE);
                case OPERATOR -> {
                    return EnumSet.noneOf(Scope.class);
                }
            }
        }
        return scopes;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses API input; unknown or missing scopes are an invalid request. */
    public static Set<Scope> parse(List<String> names) {
        if (names == null || names.isEmpty()) {
            throw DomainException.invalidRequest("scopes must list at least one of read, write, manage");
        }
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String name : names) {
            scopes.add(Arrays.stream(values()).filter(s -> s.wireName().equals(name)).findFirst()
                    .orElseThrow(() -> DomainException.invalidRequest(
                            "Unknown scope '" + name + "'; use read, write or manage")));
        }
        return scopes;
    }

    public static Set<Scope> fromColumn(String column) {
        return Arrays.stream(column.split(",")).map(s -> Scope.valueOf(s.toUpperCase(Locale.ROOT)))
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(Scope.class)));
    }

    public static String toColumn(Set<Scope> scopes) {
        return scopes.stream().map(Scope::wireName).collect(Collectors.joining(","));
    }

    public static List<String> wireNames(Set<Scope> scopes) {
        return scopes.stream().map(Scope::wireName).toList();
    }
}

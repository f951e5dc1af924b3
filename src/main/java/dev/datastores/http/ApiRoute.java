package dev.datastores.http;

import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every route of the API with what it does: whether it returns stored data, changes records, or changes the
 * control plane. The scopes a route needs are derived from these effects (auth), the routes a path has answer
 * 405 with {@code Allow} for any other method ({@link RequestTargetFilter}), and the scope matrix test walks
 * this table. A resource method without an entry here is refused to every caller.
 */
public enum ApiRoute {
    LIST_PLANS("GET", "/v1/admin/plans", Effect.OPERATOR),
    PUT_PLAN("PUT", "/v1/admin/plans/{plan}", Effect.OPERATOR),
    CREATE_WORKSPACE("POST", "/v1/admin/workspaces", Effect.OPERATOR),
    ADMIN_GET_WORKSPACE("GET", "/v1/admin/workspaces/{ws}", Effect.OPERATOR),
    ADMIN_PATCH_WORKSPACE("PATCH", "/v1/admin/workspaces/{ws}", Effect.OPERATOR),
    ADMIN_DELETE_WORKSPACE("DELETE", "/v1/admin/workspaces/{ws}", Effect.OPERATOR),
    ADMIN_CREATE_API_KEY("POST", "/v1/admin/workspaces/{ws}/api-keys", Effect.OPERATOR),

    GET_WORKSPACE("GET", Paths.WS, Effect.RETURNS_DATA),
    LIST_API_KEYS("GET", Paths.WS + "/api-keys", Effect.MANAGES),
    CREATE_API_KEY("POST", Paths.WS + "/api-keys", Effect.MANAGES),
    REVOKE_API_KEY("DELETE", Paths.WS + "/api-keys/{key}", Effect.MANAGES),

    CREATE_STORE("POST", Paths.S, Effect.MANAGES),
    LIST_STORES("GET", Paths.S, Effect.RETURNS_DATA),
    GET_STORE("GET", Paths.DS, Effect.RETURNS_DATA),
    RENAME_STORE("PATCH", Paths.DS, Effect.MANAGES),
    DELETE_STORE("DELETE", Paths.DS, Effect.MANAGES),
    LIST_LINKS("GET", Paths.DS + "/links", Effect.RETURNS_DATA),
    PUT_LINK("PUT", Paths.DS + "/links/{link}", Effect.MANAGES),
    DELETE_LINK("DELETE", Paths.DS + "/links/{link}", Effect.MANAGES),

    PUT_RECORD("PUT", Paths.R + "/{key}", Effect.CHANGES_RECORDS),
    GET_RECORD("GET", Paths.R + "/{key}", Effect.RETURNS_DATA),
    HEAD_RECORD("HEAD", Paths.R + "/{key}", Effect.RETURNS_DATA),
    DELETE_RECORD("DELETE", Paths.R + "/{key}", Effect.CHANGES_RECORDS),
    LIST_RECORDS("GET", Paths.R, Effect.RETURNS_DATA),
    CLEAR_STORE("DELETE", Paths.R, Effect.CHANGES_RECORDS),
    /** Answers with the number now stored, so it returns stored data too. */
    INCREMENT("POST", Paths.DS + "/increment", Effect.RETURNS_DATA, Effect.CHANGES_RECORDS),
    APPEND("POST", Paths.DS + "/append", Effect.CHANGES_RECORDS),
    GET_OR_CREATE("POST", Paths.DS + "/get-or-create", Effect.RETURNS_DATA, Effect.CHANGES_RECORDS),
    EXPIRE("POST", Paths.DS + "/expire", Effect.CHANGES_RECORDS),
    BATCH("POST", Paths.DS + "/batch", Effect.CHANGES_RECORDS),
    BATCH_GET("POST", Paths.DS + "/batch-get", Effect.RETURNS_DATA),
    ENTRIES("GET", Paths.DS + "/entries", Effect.RETURNS_DATA),
    KEYS("GET", Paths.DS + "/keys", Effect.RETURNS_DATA),
    DIFF("GET", Paths.DS + "/diff", Effect.RETURNS_DATA),
    EXPORT("GET", Paths.DS + "/export", Effect.RETURNS_DATA),
    IMPORT("POST", Paths.DS + "/import", Effect.CHANGES_RECORDS),
    /** One route, two answers by Accept: Server-Sent Events or a long poll. */
    WATCH_CHANGES("GET", Paths.DS + "/changes", Effect.RETURNS_DATA),
    /** Sends the store's values to a destination; with {@code deleteAfterExport} it changes records too (checked there). */
    START_EXPORT_JOB("POST", Paths.DS + "/exports", Effect.RETURNS_DATA),
    LIST_EXPORT_JOBS("GET", Paths.DS + "/exports", Effect.RETURNS_DATA),
    GET_EXPORT_JOB("GET", Paths.DS + "/exports/{job}", Effect.RETURNS_DATA);

    /** What a call does, from which the scopes it needs follow. */
    public enum Effect {
        /** Returns stored values, keys or anything else about the workspace's data: read. */
        RETURNS_DATA,
        /** Creates, changes or deletes records: write. */
        CHANGES_RECORDS,
        /** Creates, changes or deletes stores, links or API keys: manage. */
        MANAGES,
        /** Operator routes: the operator token and nothing else. */
        OPERATOR
    }

    private static final Map<Method, Optional<ApiRoute>> BY_RESOURCE_METHOD = new ConcurrentHashMap<>();

    private final String method;
    private final String template;
    private final Set<Effect> effects;
    private final List<String> segments;
    private final boolean keyRoute;
    private final String label;
    private final int workspaceSegment;

    ApiRoute(String method, String template, Effect first, Effect... rest) {
        this.method = method;
        this.template = template;
        this.effects = EnumSet.of(first, rest);
        this.segments = List.of(template.substring(1).split("/"));
        this.keyRoute = template.startsWith(Paths.R + "/");
        this.label = method + " " + template;
        this.workspaceSegment = segments.indexOf("{ws}");
    }

    /** The route as logs name it: {@code PUT /v1/workspaces/{ws}/stores/{ds}/records/{key}}. */
    public String label() {
        return label;
    }

    /** The workspace id a target this route serves names (decoded, unchecked), or null when the route names none. */
    public String workspaceOf(RequestTarget target) {
        return workspaceSegment < 0 || workspaceSegment >= target.segments().size() ? null : target.segments().get(workspaceSegment);
    }

    public String method() {
        return method;
    }

    public String template() {
        return template;
    }

    public Set<Effect> effects() {
        return effects;
    }

    public boolean isOperatorRoute() {
        return effects.contains(Effect.OPERATOR);
    }

    /** The route a resource method serves, by its HTTP method and path template; null when there is none. */
    public static ApiRoute of(String method, String template) {
        for (ApiRoute route : values()) {
            if (route.method.equals(method) && route.template.equals(template)) {
                return route;
            }
        }
        return null;
    }

    /** The route a JAX-RS resource method serves, from its annotations; empty when it is not in this table. */
    public static Optional<ApiRoute> of(Method resourceMethod) {
        return BY_RESOURCE_METHOD.computeIfAbsent(resourceMethod, ApiRoute::find);
    }

    private static Optional<ApiRoute> find(Method resourceMethod) {
        String verb = httpMethod(resourceMethod);
        Path classPath = resourceMethod.getDeclaringClass().getAnnotation(Path.class);
        if (verb == null || classPath == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(of(verb, template(classPath, resourceMethod.getAnnotation(Path.class))));
    }

    /** The HTTP method a resource method answers, or null when it is not a resource method. */
    public static String httpMethod(Method method) {
        for (Annotation annotation : method.getAnnotations()) {
            HttpMethod verb = annotation.annotationType().getAnnotation(HttpMethod.class);
            if (verb != null) {
                return verb.value();
            }
        }
        return null;
    }

    /** A resource method's path as this table writes it: {@code {key: .+}} becomes {@code {key}}. */
    public static String template(Path resourcePath, Path methodPath) {
        String path = methodPath == null ? resourcePath.value() : resourcePath.value() + "/" + methodPath.value();
        return path.replaceAll("\\{\\s*(\\w+)\\s*:[^}]*}", "{$1}").replaceAll("/+", "/").replaceAll("(.)/$", "$1");
    }

    /** The route that serves a request of this method for the target (a GET route serves HEAD), if there is one. */
    public static Optional<ApiRoute> serving(String method, RequestTarget target) {
        ApiRoute get = null;
        for (ApiRoute route : values()) {
            if (route.matches(target)) {
                if (route.method.equals(method)) {
                    return Optional.of(route);
                }
                if (route.method.equals("GET")) {
                    get = route;
                }
            }
        }
        return method.equals("HEAD") ? Optional.ofNullable(get) : Optional.empty();
    }

    /** The template of the path a request target names (whatever its method), if the API has that path. */
    public static Optional<String> templateOf(RequestTarget target) {
        for (ApiRoute route : values()) {
            if (route.matches(target)) {
                return Optional.of(route.template);
            }
        }
        return Optional.empty();
    }

    /** Whether the API has a route of this method for the target, or no route at all for its path (that is a 404). */
    static boolean allows(String method, RequestTarget target) {
        boolean pathKnown = false;
        for (ApiRoute route : values()) {
            if (route.matches(target)) {
                if (route.method.equals(method) || method.equals("HEAD") && route.method.equals("GET")) {
                    return true;
                }
                pathKnown = true;
            }
        }
        return !pathKnown;
    }

    /**
     * The methods the API has for a request target, in the form of an {@code Allow} header; empty when no route
     * has this path. A GET route answers HEAD too.
     */
    static Set<String> methodsFor(RequestTarget target) {
        Set<String> methods = new TreeSet<>();
        for (ApiRoute route : values()) {
            if (route.matches(target)) {
                methods.add(route.method);
                if (route.method.equals("GET")) {
                    methods.add("HEAD");
                }
            }
        }
        return methods;
    }

    private boolean matches(RequestTarget target) {
        if (keyRoute != target.hasKey()) {
            return false;
        }
        List<String> path = target.segments();
        int fixed = keyRoute ? segments.size() - 1 : segments.size();
        if (path.size() != fixed) {
            return false;
        }
        for (int i = 0; i < fixed; i++) {
            String segment = segments.get(i);
            if (!(segment.startsWith("{") || segment.equals(path.get(i)))) {
                return false;
            }
        }
        return true;
    }

    /** Path prefixes of the workspace API. */
    private static final class Paths {
        static final String WS = "/v1/workspaces/{ws}";
        static final String S = WS + "/stores";
        static final String DS = S + "/{ds}";
        static final String R = DS + "/records";
    }
}

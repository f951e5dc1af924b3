package dev.datastores.support;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.MessageResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.restassured.RestAssuredResponse;
import com.atlassian.oai.validator.schema.SchemaValidator;
import com.atlassian.oai.validator.util.OpenApiLoader;
import com.atlassian.oai.validator.whitelist.ValidationErrorsWhitelist;
import com.atlassian.oai.validator.whitelist.rule.WhitelistRules;
import io.restassured.filter.FilterContext;
import io.restassured.filter.OrderedFilter;
import io.restassured.response.Response;
import io.restassured.specification.FilterableRequestSpecification;
import io.restassured.specification.FilterableResponseSpecification;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.parser.core.models.ParseOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Checks every response a test gets through REST Assured against the contract, openapi/datastores.yaml: the
 * status must be one the operation declares, and the content type, the body's schema (no member the schema
 * lacks) and the declared headers must match it. Installed for every {@code @QuarkusTest} by
 * {@link ContractValidation}; a response that breaks the contract fails the test that got it.
 *
 * <p>Requests are not validated: tests send bad JSON, bad keys, wrong content types and no token on purpose,
 * and what they check is the answer. Only the request's method and path count, to find the operation:
 * <ul>
 * <li>a {@code /v1} path that matches no path of the contract fails: the contract lacks a route the test uses;</li>
 * <li>a method that the contract's path lacks must be answered {@code 405 method-not-allowed} with {@code Allow},
 *     as the contract promises for every route; any other answer fails;</li>
 * <li>a path outside {@code /v1} passes unchecked only if {@link #NOT_IN_CONTRACT} names it, and fails otherwise;</li>
 * <li>a CORS preflight ({@code OPTIONS} with {@code Origin} and {@code Access-Control-Request-Method}) is answered
 *     by the HTTP layer, not by an operation, and passes unchecked.</li>
 * </ul>
 */
public final class ContractValidationFilter implements OrderedFilter {

    /** The contract, as the tests run from the project's directory. */
    static final Path CONTRACT = Path.of("openapi/datastores.yaml");

    /**
     * Paths the service serves outside its contract: Quarkus' health, metrics, OpenAPI and Swagger UI endpoints, and
     * the dashboard's page and static files. Add a path here only if it is not part of the API.
     */
    public static final Map<String, Pattern> NOT_IN_CONTRACT = Map.of(
            "health", Pattern.compile("/q/health(/.*)?"),
            "metrics", Pattern.compile("/q/metrics"),
            "the contract itself", Pattern.compile("/q/openapi(\\..*)?"),
            "Swagger UI", Pattern.compile("/q/swagger-ui(/.*)?"),
            "the dashboard", Pattern.compile("/|/[A-Za-z0-9._-]+\\.(html|js|css|svg|png|ico|webmanifest)"));

    /**
     * Everything after {@code records/} is the key, slashes included: the contract's {@code records/{key}}. The
     * validator matches a template segment by segment, so for matching a key's slashes are sent as {@code %2F}.
     */
    private static final Pattern RECORD = Pattern.compile("(/v1/workspaces/[^/]+/stores/[^/]+/records/)(.+)");

    private static final String PROBLEMS = "https://datastores.dev/problems/";

    private final OpenApiInteractionValidator validator;
    private final SchemaValidator schemas;
    private final Schema<?> problem;

    public ContractValidationFilter() {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        options.setResolveFully(true);
        options.setResolveCombinators(true); // allOf merged, so that additionalProperties holds across it
        OpenAPI api = new OpenApiLoader().loadApi(
                OpenApiInteractionValidator.SpecSource.specUrl(CONTRACT.toAbsolutePath().toUri().toString()), List.of(), options);
        LevelResolver levels = LevelResolver.create()
                // Requests are the tests' to choose, bad ones included ...
                .withLevel("validation.request", ValidationReport.Level.IGNORE)
                // ... but the route they call must be in the contract.
                .withLevel("validation.request.path.missing", ValidationReport.Level.ERROR)
                .withLevel("validation.request.operation.notAllowed", ValidationReport.Level.ERROR)
                .withLevel("validation.response", ValidationReport.Level.ERROR)
                .build();
        ValidationErrorsWhitelist whitelist = ValidationErrorsWhitelist.create()
                // Zero records stream as zero lines: an empty NDJSON body is a whole answer, though the
                // validator demands a body wherever the contract gives the media type a schema.
                .withRule("an NDJSON stream of no records", WhitelistRules.allOf(
                        WhitelistRules.messageHasKey("validation.response.body.missing"),
                        WhitelistRules.headerContainsRegexp("Content-Type", "^application/x-ndjson\\b")));
        validator = OpenApiInteractionValidator.createFor(api).withLevelResolver(levels).withWhitelist(whitelist).build();
        schemas = new SchemaValidator(api, new MessageResolver(levels));
        problem = api.getComponents().getSchemas().get("Problem");
    }

    @Override
    public int getOrder() {
        // Closest to the wire: what is validated is the response as the server sent it.
        return OrderedFilter.HIGHEST_PRECEDENCE;
    }

    @Override
    public Response filter(FilterableRequestSpecification request, FilterableResponseSpecification responseSpec,
            FilterContext context) {
        Response response = context.next(request, responseSpec);
        String method = request.getMethod().toUpperCase(Locale.ROOT);
        String path = rawPath(request.getURI());

        if (isCorsPreflight(request, method)) {
            return response;
        }
        if (!path.equals("/v1") && !path.startsWith("/v1/")) {
            if (NOT_IN_CONTRACT.values().stream().noneMatch(pattern -> pattern.matcher(path).matches())) {
                throw failure(method, path, response, List.of(path + " is neither in the contract nor in "
                        + "ContractValidationFilter.NOT_IN_CONTRACT"));
            }
            return response;
        }

        Request.Method known = Arrays.stream(Request.Method.values()).filter(m -> m.name().equals(method)).findFirst().orElse(null);
        if (known == null) {
            // No operation of any contract can have this method: it must be refused like any other one the path lacks.
            if (response.statusCode() != 405) {
                throw failure(method, path, response, List.of(method + " is no method of the contract, yet not answered 405"));
            }
            return anyRouteAnswer(method, path, response);
        }
        ValidationReport report = validator.validateResponse(forMatching(path), known, RestAssuredResponse.of(response));
        List<ValidationReport.Message> errors = report.getMessages().stream()
                .filter(message -> message.getLevel() == ValidationReport.Level.ERROR).toList();
        if (errors.isEmpty()) {
            return response;
        }
        boolean methodNotInContract = errors.stream().anyMatch(m -> m.getKey().equals("validation.request.operation.notAllowed"));
        // The contract's description: besides those each operation lists, any route may answer 405 (a method the
        // path lacks) and 406 (an Accept that excludes JSON and problem documents).
        boolean notAcceptable = response.statusCode() == 406
                && errors.stream().allMatch(m -> m.getKey().equals("validation.response.status.unknown"));
        if (methodNotInContract && response.statusCode() == 405 || notAcceptable) {
            return anyRouteAnswer(method, path, response);
        }
        throw failure(method, path, response, errors.stream()
                .map(message -> message.getKey() + ": " + message.getMessage()
                        + message.getNestedMessages().stream().map(nested -> "\n      " + nested.getMessage()).collect(Collectors.joining()))
                .toList());
    }

    /** A 405 or 406 that the contract promises for any route passes if it is a problem document of its slug. */
    private Response anyRouteAnswer(String method, String path, Response response) {
        List<String> problems = anyRouteProblems(method, response);
        if (!problems.isEmpty()) {
            throw failure(method, path, response, problems);
        }
        return response;
    }

    private List<String> anyRouteProblems(String method, Response response) {
        String slug = response.statusCode() == 405 ? "method-not-allowed" : "not-acceptable";
        List<String> problems = new ArrayList<>();
        if (response.statusCode() == 405 && response.header("Allow") == null) {
            problems.add("405 without Allow");
        }
        if (method.equals("HEAD")) {
            return problems; // a HEAD answer has no body
        }
        String contentType = response.contentType();
        if (contentType == null || !contentType.startsWith("application/problem+json")) {
            problems.add(response.statusCode() + " with Content-Type " + contentType + ", not application/problem+json");
            return problems;
        }
        schemas.validate(response.asString(), problem, "response.body").getMessages().stream()
                .filter(message -> message.getLevel() == ValidationReport.Level.ERROR)
                .forEach(message -> problems.add(message.getKey() + ": " + message.getMessage()));
        if (!(PROBLEMS + slug).equals(response.jsonPath().getString("type"))) {
            problems.add(response.statusCode() + " of type " + response.jsonPath().getString("type") + ", not " + PROBLEMS + slug);
        }
        return problems;
    }

    private static boolean isCorsPreflight(FilterableRequestSpecification request, String method) {
        return method.equals("OPTIONS") && request.getHeaders().hasHeaderWithName("Origin")
                && request.getHeaders().hasHeaderWithName("Access-Control-Request-Method");
    }

    /** The path as sent, still percent-encoded, without scheme, authority and query. */
    static String rawPath(String uri) {
        String path = uri;
        int scheme = path.indexOf("://");
        if (scheme >= 0) {
            int slash = path.indexOf('/', scheme + 3);
            path = slash < 0 ? "/" : path.substring(slash);
        }
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        int fragment = path.indexOf('#');
        return fragment >= 0 ? path.substring(0, fragment) : path;
    }

    /** The path the validator matches against the contract's templates: a key's slashes as one segment. */
    static String forMatching(String path) {
        Matcher record = RECORD.matcher(path);
        return record.matches() ? record.group(1) + record.group(2).replace("/", "%2F") : path;
    }

    private static AssertionError failure(String method, String path, Response response, List<String> errors) {
        String body = response.asString();
        if (body.length() > 2000) {
            body = body.substring(0, 2000) + "…";
        }
        return new AssertionError("The answer to " + method + " " + path + " breaks the contract (openapi/datastores.yaml):\n  - "
                + String.join("\n  - ", errors) + "\n  answered: " + response.statusLine() + ", Content-Type: "
                + response.contentType() + "\n  " + body);
    }
}

package dev.datastores.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Helm chart in helm/datastores, linted and rendered by the Helm library that helm-java embeds,
 * with assertions on the Kubernetes objects it renders. A plain JUnit test: no Quarkus, no cluster.
 */
class HelmChartTest {

    private static final Path CHART = Path.of("helm", "datastores");
    private static final String RELEASE = "ds";
    private static final String FULLNAME = "ds-datastores";
    // Offline, helm template assumes Kubernetes 1.20, older than the chart's kubeVersion allows.
    private static final String KUBE_VERSION = "1.31.0";
    private static final String UNHOOKED = "unhooked.";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir
    Path valuesDir;

    @Test
    void lintPassesStrictlyWithTheDefaultValues() {
        LintResult lint = new Helm(CHART).lint().strict().call();

        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
    }

    @Test
    void defaultsRenderTheServiceWithoutOptionalObjects() {
        Rendered rendered = render("");

        assertThat(rendered.kinds())
                .containsExactlyInAnyOrder("ServiceAccount", "ConfigMap", "Service", "Deployment", "PodDisruptionBudget");
        assertThat(rendered.one("Deployment").at("/spec/replicas").asInt()).isEqualTo(2);
        assertThat(rendered.one("PodDisruptionBudget").at("/spec/minAvailable").asInt()).isEqualTo(1);
        assertThat(rendered.one("PodDisruptionBudget").at("/spec/selector/matchLabels"))
                .isEqualTo(rendered.one("Deployment").at("/spec/selector/matchLabels"));
    }

    @Test
    void probesWatchTheQuarkusHealthEndpointsOnTheHttpPort() {
        JsonNode container = container(render(""));

        assertThat(container.at("/ports/0/name").asText()).isEqualTo("http");
        assertThat(container.at("/ports/0/containerPort").asInt()).isEqualTo(8080);
        assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/q/health/live");
        assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/q/health/ready");
        assertThat(container.at("/startupProbe/httpGet/path").asText()).isEqualTo("/q/health/live");
        assertThat(container.at("/livenessProbe/httpGet/port").asText()).isEqualTo("http");
        assertThat(container.at("/readinessProbe/httpGet/port").asText()).isEqualTo("http");
        assertThat(container.at("/startupProbe/failureThreshold").asInt()).isGreaterThan(container.at("/livenessProbe/failureThreshold").asInt());
    }

    @Test
    void podsRunNonRootOnAReadOnlyRootFilesystemWithoutCapabilities() {
        JsonNode pod = render("").one("Deployment").at("/spec/template/spec");
        JsonNode container = pod.at("/containers/0");

        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.at("/securityContext/runAsUser").asInt()).isEqualTo(185);
        assertThat(pod.at("/securityContext/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");
        assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(container.at("/securityContext/allowPrivilegeEscalation").asBoolean()).isFalse();
        assertThat(texts(container.at("/securityContext/capabilities/drop"))).containsExactly("ALL");
        assertThat(pod.at("/automountServiceAccountToken").asBoolean()).isFalse();

        assertThat(container.at("/volumeMounts/0/mountPath").asText()).isEqualTo("/tmp");
        String tmpVolume = container.at("/volumeMounts/0/name").asText();
        assertThat(pod.at("/volumes/0/name").asText()).isEqualTo(tmpVolume);
        assertThat(pod.at("/volumes/0").has("emptyDir")).isTrue();
    }

    @Test
    void postgresqlAndRedisSettingsReachThePodsThroughTheConfigMap() {
        Rendered rendered = render("""
                postgresql:
                  host: db.internal
                  port: 5433
                  database: kv
                  username: kv_app
                  sslMode: require
                redis:
                  hosts: [redis://cache.internal:6379]
                javaOpts: -XX:MaxRAMPercentage=60
                config:
                  DATASTORES_QUOTA_RECONCILE_EVERY: 1m
                """);
        JsonNode settings = rendered.one("ConfigMap").path("data");

        assertThat(settings.path("QUARKUS_DATASOURCE_REACTIVE_URL").asText()).isEqualTo("postgresql://db.internal:5433/kv?sslmode=require");
        assertThat(settings.path("QUARKUS_DATASOURCE_JDBC_URL").asText()).isEqualTo("jdbc:postgresql://db.internal:5433/kv?sslmode=require");
        assertThat(settings.path("QUARKUS_DATASOURCE_USERNAME").asText()).isEqualTo("kv_app");
        assertThat(settings.path("QUARKUS_REDIS_CLIENT_TYPE").asText()).isEqualTo("standalone");
        assertThat(settings.path("QUARKUS_REDIS_HOSTS").asText()).isEqualTo("redis://cache.internal:6379");
        assertThat(settings.path("QUARKUS_HTTP_PORT").asText()).isEqualTo("8080");
        assertThat(settings.path("DATASTORES_QUOTA_RECONCILE_EVERY").asText()).isEqualTo("1m");
        assertThat(settings.path("JAVA_OPTS_APPEND").asText())
                .contains("-Djava.util.logging.manager=org.jboss.logmanager.LogManager")
                .endsWith("-XX:MaxRAMPercentage=60");

        JsonNode container = container(rendered);
        assertThat(container.at("/envFrom/0/configMapRef/name").asText()).isEqualTo(rendered.one("ConfigMap").at("/metadata/name").asText());
    }

    @Test
    void changedSettingsRollThePods() {
        String before = render("postgresql: {host: db-a}").one("Deployment").at("/spec/template/metadata/annotations/checksum~1config").asText();
        String after = render("postgresql: {host: db-b}").one("Deployment").at("/spec/template/metadata/annotations/checksum~1config").asText();

        assertThat(before).isNotBlank().isNotEqualTo(after);
    }

    @Test
    void passwordsGivenAsValuesGoIntoTheChartsSecretAndReachThePodsByReference() {
        Rendered rendered = render("""
                postgresql: {password: pg-secret-value}
                redis: {password: redis-secret-value}
                """);
        JsonNode secret = rendered.one("Secret");

        assertThat(decode(secret.at("/data/password"))).isEqualTo("pg-secret-value");
        assertThat(decode(secret.at("/data/redis-password"))).isEqualTo("redis-secret-value");
        JsonNode container = container(rendered);
        assertThat(secretRef(container, "QUARKUS_DATASOURCE_PASSWORD")).isEqualTo(FULLNAME + "/password");
        assertThat(secretRef(container, "QUARKUS_REDIS_PASSWORD")).isEqualTo(FULLNAME + "/redis-password");
        assertThat(rendered.one("ConfigMap").toString()).doesNotContain("secret-value");
    }

    @Test
    void existingSecretsAreReferencedAndNoPasswordIsInlined() {
        Rendered rendered = render("""
                postgresql: {existingSecret: pg-credentials, passwordKey: pg-password, password: must-not-appear}
                redis: {existingSecret: redis-credentials, password: must-not-appear-either}
                adminToken: {existingSecret: datastores-admin, key: token}
                """);

        assertThat(rendered.kinds()).doesNotContain("Secret");
        assertThat(rendered.text()).doesNotContain("must-not-appear");
        JsonNode container = container(rendered);
        assertThat(secretRef(container, "QUARKUS_DATASOURCE_PASSWORD")).isEqualTo("pg-credentials/pg-password");
        assertThat(secretRef(container, "QUARKUS_REDIS_PASSWORD")).isEqualTo("redis-credentials/redis-password");
        assertThat(secretRef(container, "DATASTORES_ADMIN_TOKEN")).isEqualTo("datastores-admin/token");
    }

    @Test
    void theChartsSecretHoldsOnlyThePasswordsThatHaveNoSecretOfTheirOwn() {
        Rendered rendered = render("""
                postgresql: {existingSecret: pg-credentials, password: must-not-appear}
                redis: {password: redis-secret-value}
                """);

        assertThat(fieldNames(rendered.one("Secret").path("data"))).containsExactly("redis-password");
        assertThat(rendered.text()).doesNotContain("must-not-appear");
        assertThat(secretRef(container(rendered), "QUARKUS_DATASOURCE_PASSWORD")).isEqualTo("pg-credentials/password");
        assertThat(secretRef(container(rendered), "QUARKUS_REDIS_PASSWORD")).isEqualTo(FULLNAME + "/redis-password");
    }

    @Test
    void withoutAnAdminTokenSecretTheOperatorApiStaysClosed() {
        JsonNode container = container(render(""));

        assertThat(env(container, "DATASTORES_ADMIN_TOKEN")).isEmpty();
        assertThat(env(container, "QUARKUS_DATASOURCE_PASSWORD")).isEmpty();
    }

    @Test
    void redisClusterSetsTheClientTypeAndEveryNode() {
        JsonNode settings = render("""
                redis:
                  clientType: cluster
                  hosts: [redis://node-0:6379, redis://node-1:6379, redis://node-2:6379]
                """).one("ConfigMap").path("data");

        assertThat(settings.path("QUARKUS_REDIS_CLIENT_TYPE").asText()).isEqualTo("cluster");
        assertThat(settings.path("QUARKUS_REDIS_HOSTS").asText()).isEqualTo("redis://node-0:6379,redis://node-1:6379,redis://node-2:6379");
    }

    @Test
    void redisSentinelNeedsAMasterName() {
        assertThatThrownBy(() -> render("redis: {clientType: sentinel, hosts: ['redis://sentinel:26379']}"))
                .hasMessageContaining("redis.masterName is required");

        JsonNode settings = render("redis: {clientType: sentinel, masterName: primary, hosts: ['redis://sentinel:26379']}")
                .one("ConfigMap").path("data");
        assertThat(settings.path("QUARKUS_REDIS_MASTER_NAME").asText()).isEqualTo("primary");
    }

    @Test
    void replicaCountSetsTheReplicasWhenAutoscalingIsOff() {
        Rendered rendered = render("replicaCount: 3");

        assertThat(rendered.one("Deployment").at("/spec/replicas").asInt()).isEqualTo(3);
        assertThat(rendered.kinds()).doesNotContain("HorizontalPodAutoscaler");
    }

    @Test
    void autoscalingScalesOnCpuAndLeavesReplicasToTheAutoscaler() {
        Rendered rendered = render("autoscaling: {enabled: true, minReplicas: 3, maxReplicas: 12, targetCPUUtilizationPercentage: 65}");
        JsonNode hpa = rendered.one("HorizontalPodAutoscaler");

        assertThat(rendered.one("Deployment").at("/spec").has("replicas")).isFalse();
        assertThat(hpa.at("/apiVersion").asText()).isEqualTo("autoscaling/v2");
        assertThat(hpa.at("/spec/scaleTargetRef/kind").asText()).isEqualTo("Deployment");
        assertThat(hpa.at("/spec/scaleTargetRef/name").asText()).isEqualTo(FULLNAME);
        assertThat(hpa.at("/spec/minReplicas").asInt()).isEqualTo(3);
        assertThat(hpa.at("/spec/maxReplicas").asInt()).isEqualTo(12);
        assertThat(hpa.at("/spec/metrics/0/resource/name").asText()).isEqualTo("cpu");
        assertThat(hpa.at("/spec/metrics/0/resource/target/averageUtilization").asInt()).isEqualTo(65);
    }

    @Test
    void theDisruptionBudgetCanBeTurnedOff() {
        assertThat(render("podDisruptionBudget: {enabled: false}").kinds()).doesNotContain("PodDisruptionBudget");
    }

    @Test
    void ingressIsRenderedOnlyWhenEnabled() {
        assertThat(render("").kinds()).doesNotContain("Ingress");

        JsonNode ingress = render("""
                ingress:
                  enabled: true
                  className: nginx
                  hosts:
                    - host: kv.example.org
                      paths: [{path: /, pathType: Prefix}]
                  tls:
                    - secretName: kv-tls
                      hosts: [kv.example.org]
                """).one("Ingress");

        assertThat(ingress.at("/spec/ingressClassName").asText()).isEqualTo("nginx");
        assertThat(ingress.at("/spec/rules/0/host").asText()).isEqualTo("kv.example.org");
        assertThat(ingress.at("/spec/rules/0/http/paths/0/backend/service/name").asText()).isEqualTo(FULLNAME);
        assertThat(ingress.at("/spec/rules/0/http/paths/0/backend/service/port/name").asText()).isEqualTo("http");
        assertThat(ingress.at("/spec/tls/0/secretName").asText()).isEqualTo("kv-tls");
    }

    @Test
    void serviceMonitorScrapesTheMetricsOfTheServiceWhenEnabled() {
        assertThat(render("").kinds()).doesNotContain("ServiceMonitor");

        Rendered rendered = render("metrics: {serviceMonitor: {enabled: true, labels: {release: prometheus}}}");
        JsonNode monitor = rendered.one("ServiceMonitor");

        assertThat(monitor.at("/metadata/labels/release").asText()).isEqualTo("prometheus");
        assertThat(monitor.at("/spec/endpoints/0/path").asText()).isEqualTo("/q/metrics");
        assertThat(monitor.at("/spec/endpoints/0/port").asText()).isEqualTo(rendered.one("Service").at("/spec/ports/0/name").asText());
        JsonNode serviceLabels = rendered.one("Service").at("/metadata/labels");
        monitor.at("/spec/selector/matchLabels").fields().forEachRemaining(label ->
                assertThat(serviceLabels.path(label.getKey()).asText()).as(label.getKey()).isEqualTo(label.getValue().asText()));
    }

    @Test
    void grafanaDashboardShipsAsAConfigMapForTheSidecarWhenEnabled() throws IOException {
        assertThat(render("").all("ConfigMap")).hasSize(1);

        Rendered rendered = render("metrics: {grafanaDashboard: {enabled: true, annotations: {grafana_folder: Datastores}}}");
        JsonNode dashboardMap = rendered.all("ConfigMap").stream()
                .filter(map -> map.at("/metadata/name").asText().equals(FULLNAME + "-dashboard")).findFirst().orElseThrow();

        assertThat(dashboardMap.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
        assertThat(dashboardMap.at("/metadata/annotations/grafana_folder").asText()).isEqualTo("Datastores");
        JsonNode dashboard = new ObjectMapper().readTree(dashboardMap.at("/data/datastores.json").asText());
        assertThat(dashboard).isEqualTo(new ObjectMapper().readTree(CHART.resolve("dashboards/datastores.json").toFile()));
        assertThat(dashboard.path("uid").asText()).isEqualTo("datastores");
        List<String> expressions = dashboard.findValues("expr").stream().map(JsonNode::asText).toList();
        assertThat(expressions).isNotEmpty().allSatisfy(expr ->
                assertThat(expr).contains("namespace=~\"$namespace\"").contains("job=~\"$job\""));
        // one panel per thing the issue asks an operator to see
        assertThat(String.join("\n", expressions)).contains("datastores_operations_total", "datastores_redis_degraded",
                "datastores_quota_settlement_backlog", "datastores_quota_counter_repairs_total", "datastores_export_jobs_oldest_age_seconds",
                "datastores_expiry_lag_seconds", "datastores_workspaces_near_limit", "datastores_value_stored_bytes_sum",
                "datastores_quota_reservation_seconds_bucket", "outcome=\"SERVER_ERROR\"");
    }

    @Test
    void prometheusRuleAlertsOnTheReleasesSeriesWhenEnabled() {
        assertThat(render("").kinds()).doesNotContain("PrometheusRule");

        JsonNode rule = render("""
                metrics:
                  prometheusRule:
                    enabled: true
                    labels: {release: prometheus}
                    runbookBaseUrl: https://docs.example.com/operations
                    thresholds: {sweeperLagSeconds: 900}
                """).one("PrometheusRule");

        assertThat(rule.at("/metadata/labels/release").asText()).isEqualTo("prometheus");
        List<JsonNode> alerts = stream(rule.at("/spec/groups/0/rules")).toList();
        assertThat(alerts).extracting(alert -> alert.path("alert").asText()).containsExactly("DatastoresRedisDegraded",
                "DatastoresHigh5xxRate", "DatastoresQuotaSettlementBacklog", "DatastoresQuotaCountersStale",
                "DatastoresExportJobStuck", "DatastoresExportJobTooOld", "DatastoresSweeperLagging");
        for (JsonNode alert : alerts) {
            String name = alert.path("alert").asText();
            assertThat(alert.path("expr").asText()).as(name).contains("namespace=\"default\", job=\"" + FULLNAME + "\"");
            assertThat(alert.path("for").asText()).as(name).matches("[0-9]+[smh]");
            assertThat(alert.at("/labels/severity").asText()).as(name).isIn("critical", "warning", "info");
            assertThat(alert.at("/annotations/summary").asText()).as(name).isNotBlank();
            assertThat(alert.at("/annotations/runbook_url").asText()).as(name)
                    .isEqualTo("https://docs.example.com/operations#" + name.toLowerCase());
            assertThat(alert.at("/annotations/description").asText()).as(name).endsWith("docs/operations.md#" + name.toLowerCase());
        }
        assertThat(alerts.get(6).path("expr").asText()).endsWith("> 900");
    }

    @Test
    void everyAlertHasItsSectionInTheOperationsPage() throws IOException {
        String operations = Files.readString(Path.of("docs", "operations.md"));
        String rules = Files.readString(CHART.resolve("templates/prometheusrule.yaml"));
        List<String> alerts = java.util.regex.Pattern.compile("alert: (\\w+)").matcher(rules).results().map(match -> match.group(1)).toList();

        assertThat(alerts).hasSize(7).allSatisfy(alert -> assertThat(operations).contains("#### " + alert + "\n"));
    }

    @Test
    void lintPassesStrictlyWithTheMonitorDashboardAndAlertsOn() throws IOException {
        // helm-java's lint takes no values file: a copy of the chart whose defaults switch them on
        Path chart = copyOfChart("monitored", text -> text
                .replace("  serviceMonitor:\n    enabled: false", "  serviceMonitor:\n    enabled: true")
                .replace("  grafanaDashboard:\n    enabled: false", "  grafanaDashboard:\n    enabled: true")
                .replace("  prometheusRule:\n    enabled: false", "  prometheusRule:\n    enabled: true"));
        assertThat(render(chart, "").kinds()).contains("ServiceMonitor", "PrometheusRule");

        LintResult lint = new Helm(chart).lint().strict().call();

        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
    }

    @Test
    void migrationJobRunsInitAndExitBeforeInstallAndUpgrade() throws IOException {
        Rendered rendered = render(chartWithHooksAsPlainObjects(), """
                postgresql: {host: db.internal, existingSecret: pg-credentials}
                migrations: {job: {enabled: true}}
                """);
        JsonNode job = rendered.one("Job");
        JsonNode migrate = job.at("/spec/template/spec/containers/0");

        assertThat(job.at("/metadata/annotations/" + UNHOOKED + "helm.sh~1hook").asText()).isEqualTo("pre-install,pre-upgrade");
        assertThat(job.at("/spec/template/spec/restartPolicy").asText()).isEqualTo("Never");
        assertThat(migrate.at("/image").asText()).isEqualTo(container(rendered).at("/image").asText());
        assertThat(env(migrate, "QUARKUS_INIT_AND_EXIT")).hasValue("true");
        assertThat(env(migrate, "QUARKUS_FLYWAY_MIGRATE_AT_START")).hasValue("true");
        assertThat(env(migrate, "QUARKUS_DATASOURCE_JDBC_URL")).hasValue("jdbc:postgresql://db.internal:5432/datastores");
        assertThat(secretRef(migrate, "QUARKUS_DATASOURCE_PASSWORD")).isEqualTo("pg-credentials/password");
        assertThat(migrate.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
        JsonNode migratingPodLabels = job.at("/spec/template/metadata/labels");
        assertThat(rendered.one("Service").at("/spec/selector").properties())
                .as("a migrating pod must not match the Service's selector")
                .anyMatch(label -> !label.getValue().equals(migratingPodLabels.path(label.getKey())));
        // The pods no longer migrate: the Job did.
        assertThat(env(container(rendered), "QUARKUS_FLYWAY_MIGRATE_AT_START")).hasValue("false");
    }

    @Test
    void withoutTheMigrationJobEveryPodMigratesAtStart() {
        Rendered rendered = render("");

        assertThat(rendered.kinds()).doesNotContain("Job");
        assertThat(env(container(rendered), "QUARKUS_FLYWAY_MIGRATE_AT_START")).isEmpty();
    }

    @Test
    void migrationJobRefusesAPasswordFromTheChartsOwnSecret() {
        assertThatThrownBy(() -> render("""
                postgresql: {password: inline}
                migrations: {job: {enabled: true}}
                """)).hasMessageContaining("migrations.job.enabled needs postgresql.existingSecret");
    }

    @Test
    void theSchemaRejectsBadValues() {
        assertThatThrownBy(() -> render("replicaCount: two")).hasMessageContaining("replicaCount");
        assertThatThrownBy(() -> render("redis: {clientType: replicated}")).hasMessageContaining("clientType");
        assertThatThrownBy(() -> render("redis: {hosts: ['cache:6379']}")).hasMessageContaining("hosts");
        assertThatThrownBy(() -> render("postgresql: {port: 70000}")).hasMessageContaining("port");
        assertThatThrownBy(() -> render("replicas: 3")).hasMessageContaining("replicas");
        assertThatThrownBy(() -> render("metrics: {prometheusRule: {thresholds: {errorRatio: 5}}}")).hasMessageContaining("errorRatio");
        assertThatThrownBy(() -> render("metrics: {prometheusRule: {thresholds: {sweeperLag: 10}}}")).hasMessageContaining("sweeperLag");
    }

    private Rendered render(String values) {
        return render(CHART, values);
    }

    private Path writeValues(String values) {
        try {
            Path file = Files.createTempFile(valuesDir, "values", ".yaml");
            Files.writeString(file, values, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Rendered render(Path chart, String values) {
        try {
            Path file = writeValues(values);
            String manifests = new Helm(chart).template().withName(RELEASE).withKubeVersion(KUBE_VERSION).withValuesFile(file).call();
            return new Rendered(manifests, parse(manifests));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A copy of the chart whose hook annotations are renamed: helm-java's template returns the
     * release's manifest without its hooks, so only an object that is no hook can be inspected.
     */
    private Path chartWithHooksAsPlainObjects() throws IOException {
        return copyOfChart("chart", text -> text.replace("helm.sh/hook", UNHOOKED + "helm.sh/hook"));
    }

    /** A copy of the chart with every file's text changed by {@code edit}. */
    private Path copyOfChart(String name, java.util.function.UnaryOperator<String> edit) throws IOException {
        Path copy = valuesDir.resolve(name);
        try (Stream<Path> files = Files.walk(CHART)) {
            for (Path source : files.toList()) {
                Path target = copy.resolve(CHART.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.writeString(target, edit.apply(Files.readString(source)));
                }
            }
        }
        return copy;
    }

    private static List<JsonNode> parse(String manifests) throws IOException {
        List<JsonNode> objects = new ArrayList<>();
        try (var documents = YAML.readerFor(JsonNode.class).<JsonNode>readValues(manifests)) {
            while (documents.hasNext()) {
                JsonNode object = documents.next();
                if (object != null && object.has("kind")) {
                    objects.add(object);
                }
            }
        }
        return objects;
    }

    private static JsonNode container(Rendered rendered) {
        return rendered.one("Deployment").at("/spec/template/spec/containers/0");
    }

    private static Optional<String> env(JsonNode container, String name) {
        return stream(container.path("env"))
                .filter(variable -> variable.path("name").asText().equals(name))
                .findFirst()
                .map(variable -> variable.path("value").asText());
    }

    /** The "secret/key" that an environment variable is read from. */
    private static String secretRef(JsonNode container, String name) {
        JsonNode ref = stream(container.path("env"))
                .filter(variable -> variable.path("name").asText().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no env " + name + " in " + container.path("env")))
                .at("/valueFrom/secretKeyRef");
        return ref.path("name").asText() + "/" + ref.path("key").asText();
    }

    private static List<String> texts(JsonNode array) {
        return stream(array).map(JsonNode::asText).toList();
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static String decode(JsonNode base64) {
        return new String(Base64.getDecoder().decode(base64.asText()), StandardCharsets.UTF_8);
    }

    private static Stream<JsonNode> stream(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false);
    }

    /** The output of helm template: its text and the objects in it. */
    private record Rendered(String text, List<JsonNode> objects) {

        List<String> kinds() {
            return objects.stream().map(object -> object.path("kind").asText()).toList();
        }

        List<JsonNode> all(String kind) {
            return objects.stream().filter(object -> object.path("kind").asText().equals(kind)).toList();
        }

        JsonNode one(String kind) {
            List<JsonNode> matching = objects.stream().filter(object -> object.path("kind").asText().equals(kind)).toList();
            assertThat(matching).as("objects of kind %s in %s", kind, kinds()).hasSize(1);
            return matching.get(0);
        }
    }
}

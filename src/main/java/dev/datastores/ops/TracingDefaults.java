package dev.datastores.ops;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Tracing is on only when there is somewhere to send it: an OTLP endpoint in {@code quarkus.otel.exporter.otlp[.traces].endpoint}
 * or in the standard {@code OTEL_EXPORTER_OTLP[_TRACES]_ENDPOINT}. Without one the SDK stays disabled, so a replica
 * neither records spans nor tries a collector on localhost. Traces that start here are sampled at
 * {@link #DEFAULT_SAMPLE} unless an operator says otherwise, in either name. Everything here is a default below
 * application.properties and the environment: {@code QUARKUS_OTEL_SDK_DISABLED} still decides when set.
 */
public class TracingDefaults implements ConfigSourceFactory {

    /** Below application.properties (250), the environment (300) and system properties (400). */
    static final int ORDINAL = 200;
    /** The share of new traces kept: at 5 % tracing costs 3 % of throughput, keeping all costs 15-20 % (benchmarks.md). */
    static final String DEFAULT_SAMPLE = "0.05";
    private static final String SDK_DISABLED = "quarkus.otel.sdk.disabled";
    private static final String SAMPLER_ARG = "quarkus.otel.traces.sampler.arg";
    private static final String QUARKUS_ENDPOINT = "quarkus.otel.exporter.otlp.endpoint";
    private static final String QUARKUS_TRACES_ENDPOINT = "quarkus.otel.exporter.otlp.traces.endpoint";
    private static final String OTEL_ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT";
    private static final String OTEL_TRACES_ENDPOINT = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
    /** The standard names Quarkus does not read itself, and the settings they stand for. */
    private static final Map<String, String> STANDARD_NAMES = Map.of(
            "OTEL_SERVICE_NAME", "quarkus.otel.service.name",
            "OTEL_TRACES_SAMPLER_ARG", SAMPLER_ARG,
            "OTEL_EXPORTER_OTLP_HEADERS", "quarkus.otel.exporter.otlp.traces.headers",
            "OTEL_EXPORTER_OTLP_PROTOCOL", "quarkus.otel.exporter.otlp.traces.protocol");

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        Map<String, String> defaults = new HashMap<>();
        String standardEndpoint = firstSet(context, OTEL_TRACES_ENDPOINT, OTEL_ENDPOINT);
        if (standardEndpoint != null && firstSet(context, QUARKUS_TRACES_ENDPOINT, QUARKUS_ENDPOINT) == null) {
            defaults.put(QUARKUS_TRACES_ENDPOINT, standardEndpoint);
        }
        STANDARD_NAMES.forEach((standard, quarkus) -> {
            String value = firstSet(context, standard);
            if (value != null && firstSet(context, quarkus) == null) {
                defaults.put(quarkus, value);
            }
        });
        defaults.putIfAbsent(SAMPLER_ARG, DEFAULT_SAMPLE);
        boolean endpoint = standardEndpoint != null || firstSet(context, QUARKUS_TRACES_ENDPOINT, QUARKUS_ENDPOINT) != null;
        defaults.put(SDK_DISABLED, Boolean.toString(!endpoint));
        return List.of(new PropertiesConfigSource(defaults, "datastores tracing defaults", ORDINAL));
    }

    private static String firstSet(ConfigSourceContext context, String... names) {
        for (String name : names) {
            ConfigValue value = context.getValue(name);
            // an extension's built-in default (a localhost collector) is not an operator's setting
            if (value != null && value.getValue() != null && !value.getValue().isBlank()
                    && value.getConfigSourceOrdinal() > ORDINAL) {
                return value.getValue();
            }
        }
        return null;
    }
}

package dev.datastores.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tracing is off until an operator names an OTLP endpoint, in Quarkus' settings or the standard OTEL_* ones. */
class TracingDefaultsTest {

    @Test
    void withoutAnEndpointTheSdkIsDisabled() {
        assertThat(config(Map.of()).getValue("quarkus.otel.sdk.disabled", Boolean.class)).isTrue();
    }

    @Test
    void quarkusEndpointEnablesIt() {
        assertThat(config(Map.of("quarkus.otel.exporter.otlp.endpoint", "http://collector:4317"))
                .getValue("quarkus.otel.sdk.disabled", Boolean.class)).isFalse();
    }

    @Test
    void theStandardEndpointEnablesItAndIsUsedForTraces() {
        SmallRyeConfig config = config(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317", "OTEL_TRACES_SAMPLER_ARG", "0.1"));

        assertThat(config.getValue("quarkus.otel.sdk.disabled", Boolean.class)).isFalse();
        assertThat(config.getValue("quarkus.otel.exporter.otlp.traces.endpoint", String.class)).isEqualTo("http://collector:4317");
        assertThat(config.getValue("quarkus.otel.traces.sampler.arg", String.class)).isEqualTo("0.1");
    }

    @Test
    void aShareOfNewTracesIsKeptUnlessTheOperatorSaysOtherwise() {
        String arg = "quarkus.otel.traces.sampler.arg";
        assertThat(config(Map.of()).getValue(arg, String.class)).isEqualTo(TracingDefaults.DEFAULT_SAMPLE);
        assertThat(config(Map.of("OTEL_TRACES_SAMPLER_ARG", "0.5")).getValue(arg, String.class)).isEqualTo("0.5");
        assertThat(config(Map.of("QUARKUS_OTEL_TRACES_SAMPLER_ARG", "1.0", "OTEL_TRACES_SAMPLER_ARG", "0.5")).getValue(arg, String.class))
                .isEqualTo("1.0");
    }

    @Test
    void anOperatorsExplicitSettingWins() {
        SmallRyeConfig config = config(Map.of("quarkus.otel.exporter.otlp.endpoint", "http://collector:4317",
                "quarkus.otel.sdk.disabled", "true"));

        assertThat(config.getValue("quarkus.otel.sdk.disabled", Boolean.class)).isTrue();
    }

    @Test
    void aBuiltInDefaultBelowTheOperatorsSettingsIsNoEndpoint() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(Map.of("quarkus.otel.exporter.otlp.endpoint", "http://localhost:4317"),
                        "extension defaults", Integer.MIN_VALUE))
                .withSources(new TracingDefaults()).build();

        assertThat(config.getValue("quarkus.otel.sdk.disabled", Boolean.class)).isTrue();
    }

    /**
     * The settings as an operator's environment gives them (ordinal 300), over the service's application.properties
     * (250) and its defaults below: a value written there would hide a standard OTEL_* name.
     */
    private static SmallRyeConfig config(Map<String, String> environment) {
        try {
            return new SmallRyeConfigBuilder().withSources(new EnvConfigSource(environment, 300))
                    .withSources(new PropertiesConfigSource(TracingDefaultsTest.class.getResource("/application.properties"), 250))
                    .withSources(new TracingDefaults()).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

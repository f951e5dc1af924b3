package dev.datastores.record;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

/**
 * The sizes of values written: as sent ({@code datastores_value_raw_bytes}) and as stored after Brotli
 * ({@code datastores_value_stored_bytes}); their sums' ratio is the compression the service achieves.
 */
@Singleton
public class ValueSizes {

    private final DistributionSummary raw;
    private final DistributionSummary stored;

    public ValueSizes(MeterRegistry registry) {
        raw = DistributionSummary.builder("datastores.value.raw").baseUnit("bytes")
                .description("Size of each value written, as the client sent it").register(registry);
        stored = DistributionSummary.builder("datastores.value.stored").baseUnit("bytes")
                .description("Size of each value written, as stored (Brotli, or raw when smaller)").register(registry);
    }

    void written(long rawBytes, long storedBytes) {
        raw.record(rawBytes);
        stored.record(storedBytes);
    }
}

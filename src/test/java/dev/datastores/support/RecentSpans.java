package dev.datastores.support;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.function.Predicate;

/**
 * The test suite's span exporter (Quarkus exports to every SpanExporter bean): keeps the last spans in memory,
 * a bounded number so a whole suite of traced requests does not fill the heap.
 */
@Singleton
public class RecentSpans implements SpanExporter {

    private static final int KEPT = 20_000;
    private final Deque<SpanData> spans = new ArrayDeque<>();

    @Override
    public synchronized CompletableResultCode export(Collection<SpanData> batch) {
        for (SpanData span : batch) {
            spans.addLast(span);
            if (spans.size() > KEPT) {
                spans.removeFirst();
            }
        }
        return CompletableResultCode.ofSuccess();
    }

    public synchronized List<SpanData> ofTrace(String traceId) {
        return spans.stream().filter(span -> span.getTraceId().equals(traceId)).toList();
    }

    /** The spans of a trace once one of them matches {@code until}, waiting for the batch exporter for up to ten seconds. */
    public List<SpanData> awaitTrace(String traceId, Predicate<List<SpanData>> until) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        List<SpanData> trace = ofTrace(traceId);
        while (!until.test(trace) && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
            trace = ofTrace(traceId);
        }
        return trace;
    }

    @Override
    public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }
}

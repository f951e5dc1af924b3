package dev.datastores.transfer;

import dev.datastores.codec.ValueCodec;
import dev.datastores.record.StoredRecord;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Compression and parsing of many values at once, for export and import: slices of a list mapped side by side on
 * a pool of one thread per core that this bean owns and shuts down with the application. Its threads only compute
 * (they never wait on I/O or on each other), so a pool the size of the machine keeps every core busy without
 * borrowing the JVM's common pool, whose threads the rest of the process shares.
 */
@ApplicationScoped
public class ParallelCodec {

    private static final int MIN_SLICE = 16;

    private final int threads = Runtime.getRuntime().availableProcessors();
    private final ExecutorService pool = Executors.newFixedThreadPool(threads, new Named());

    /** {@code mapping} applied to every item, in order, slices of the list computed in parallel. */
    public <T, R> CompletableFuture<List<R>> map(List<T> items, Function<? super T, ? extends R> mapping) {
        int slices = Math.max(1, Math.min(threads, items.size() / MIN_SLICE));
        int sliceSize = (items.size() + slices - 1) / slices;
        List<CompletableFuture<List<R>>> parts = new ArrayList<>(slices);
        for (int start = 0; start < items.size(); start += sliceSize) {
            List<T> slice = items.subList(start, Math.min(items.size(), start + sliceSize));
            parts.add(CompletableFuture.supplyAsync(() -> {
                List<R> mapped = new ArrayList<>(slice.size());
                slice.forEach(item -> mapped.add(mapping.apply(item)));
                return mapped;
            }, pool));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<R> all = new ArrayList<>(items.size());
            parts.forEach(part -> all.addAll(part.join()));
            return all;
        });
    }

    /** The JSON of stored values, decompressed side by side: decompression is most of an export's work. */
    public List<byte[]> decodeValues(List<StoredRecord> records) {
        return map(records, record -> ValueCodec.decode(record.storedValue())).join();
    }

    @PreDestroy
    void shutdown() {
        pool.shutdownNow();
    }

    /** Daemon threads with a name that says what they do, for thread dumps and profiles. */
    private static final class Named implements java.util.concurrent.ThreadFactory {
        private final AtomicInteger next = new AtomicInteger();

        @Override
        public Thread newThread(Runnable work) {
            Thread thread = new Thread(work, "datastores-codec-" + next.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    }
}

package dev.datastores.transfer;

import dev.datastores.domain.DomainException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.datastores.quota.Delta;
import dev.datastores.quota.QuotaService;
import dev.datastores.quota.StoreDelta;
import dev.datastores.quota.Written;
import dev.datastores.record.Keys;
import dev.datastores.record.RecordStorage;
import dev.datastores.record.StoredRecord;
import dev.datastores.tenant.Ids;
import dev.datastores.tenant.PlanDirectory;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.jboss.logging.Logger;

/**
 * Runs export jobs: reads a chunk in key order, POSTs it as a JSON array, and only after a 2xx deletes
 * the chunk's records (when asked) and moves the job past it, in one transaction. Delivery is at least
 * once: a chunk sent just before a crash is sent again by whoever resumes the job, with the same
 * {@code Datastores-Export-Chunk} number. A runner's jobs are taken over by another runner (or by this
 * service after a restart) once they have not heard from it for {@code staleAfter}.
 */
@ApplicationScoped
public class ExportJobRunner {

    private static final Logger LOG = Logger.getLogger(ExportJobRunner.class);
    private static final JsonFactory JSON = new JsonFactory();
    private static final RecordStorage.Rows NOTHING_DELETED = new RecordStorage.Rows(0, 0, 0);

    private final String runnerId = Ids.next("run_");
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final ExportJobRepository jobs;
    private final RecordStorage records;
    private final Destinations destinations;
    private final DestinationClient client;
    private final PlanDirectory plans;
    private final QuotaService quota;
    private final ExportJobConfig config;
    private final Vertx vertx;
    private final ParallelCodec codec;

    public ExportJobRunner(ExportJobRepository jobs, RecordStorage records, Destinations destinations, DestinationClient client,
            PlanDirectory plans, QuotaService quota, ExportJobConfig config, Vertx vertx, ParallelCodec codec) {
        this.jobs = jobs;
        this.records = records;
        this.destinations = destinations;
        this.client = client;
        this.plans = plans;
        this.quota = quota;
        this.config = config;
        this.vertx = vertx;
        this.codec = codec;
        if (config.heartbeatEvery().compareTo(config.staleAfter()) >= 0) {
            throw new IllegalStateException("datastores.exports.heartbeat-every (" + config.heartbeatEvery()
                    + ") must be shorter than stale-after (" + config.staleAfter() + "): live jobs would be taken over");
        }
    }

    /** The identity this service's jobs are stored under. */
    String runnerId() {
        return runnerId;
    }

    /** Runs a job this runner owns in the background, from just after its last acknowledged key. */
    void run(ExportJob job) {
        if (!running.add(job.id())) {
            return;
        }
        Context context = VertxContext.getOrCreateDuplicatedContext(vertx);
        Executor onContext = task -> context.runOnContext(ignored -> task.run());
        Position position = new Position(job.lastKey(), job.chunks());
        Multi.createBy().repeating().uni(() -> position, at -> nextChunk(job, at, onContext))
                .whilst(more -> more)
                .collect().last()
                .runSubscriptionOn(onContext)
                .onTermination().invoke(() -> running.remove(job.id()))
                .subscribe().with(done -> LOG.debugf("Export job %s finished", job.id()), failure -> fail(job, position, failure));
    }

    @Scheduled(every = "${datastores.exports.heartbeat-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> heartbeat() {
        if (running.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return jobs.heartbeat(runnerId).onFailure().invoke(failure -> LOG.warnf("Export heartbeat failed: %s", failure.toString()))
                .onFailure().recoverWithNull();
    }

    /** Takes over the jobs of runners that went quiet: replicas that stopped, or this service before a restart. */
    @Scheduled(every = "${datastores.exports.take-over-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> takeOverOrphans() {
        return jobs.takeOver(runnerId, config.staleAfter())
                .invoke(orphans -> orphans.forEach(job -> {
                    LOG.infof("Resuming export job %s after chunk %d", job.id(), job.chunks());
                    run(job);
                }))
                .onFailure().invoke(failure -> LOG.warnf("Export take-over failed: %s", failure.toString()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Sends the next chunk; true while there may be more. */
    private Uni<Boolean> nextChunk(ExportJob job, Position at, Executor onContext) {
        return records.page(job.storeId(), job.prefix(), Keys.prefixUpperBound(job.prefix()), at.lastKey, job.chunkSize(), true)
                .chain(page -> {
                    if (page.isEmpty()) {
                        return jobs.finish(job.id(), runnerId, ExportJob.Status.SUCCEEDED, null).replaceWith(false);
                    }
                    long chunk = at.chunks + 1;
                    return send(job, chunk, page)
                            .emitOn(onContext)
                            .chain(() -> acknowledge(job, page))
                            .invoke(() -> at.advance(page.get(page.size() - 1).key()))
                            .replaceWith(true);
                });
    }

    /** Checks the destination again, as its name may resolve elsewhere by now, and posts the chunk to the checked address. */
    private Uni<Void> send(ExportJob job, long chunk, List<StoredRecord> page) {
        byte[] body = chunkBody(page, codec.decodeValues(page));
        return Uni.createFrom().item(() -> destinations.require(job.url()))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onFailure(DomainException.class)
                .transform(refused -> new ChunkFailed("chunk " + chunk + " was not sent: " + refused.getMessage()))
                .chain(destination -> client.post(destination, job.id(), chunk, body))
                .onFailure(DestinationClient.Undelivered.class)
                .transform(undelivered -> new ChunkFailed("chunk " + chunk + " was not acknowledged: " + undelivered.getMessage()));
    }

    /**
     * After a 2xx: deletes the chunk's records when asked and records the progress, together, as a write
     * that settles quota. If this runner lost the job meanwhile, both roll back.
     */
    private Uni<Void> acknowledge(ExportJob job, List<StoredRecord> page) {
        List<String> keys = page.stream().map(StoredRecord::key).toList();
        List<Long> versions = page.stream().map(StoredRecord::version).toList();
        String lastKey = keys.get(keys.size() - 1);
        return plans.planOf(job.workspaceId()).chain(plan -> quota.guardTransaction(job.workspaceId(), plan, Delta.NONE, tx ->
                (job.deleteAfterExport() ? records.deleteIfUnchanged(tx, job.storeId(), keys, versions)
                        : Uni.createFrom().item(NOTHING_DELETED))
                        .chain(removed -> jobs.acknowledged(tx, job.id(), runnerId, page.size(), removed.rows(), lastKey)
                                .map(stillOurs -> {
                                    if (!stillOurs) {
                                        throw new JobLost();
                                    }
                                    return new Written<>(removed.rows(), new Delta(0, -removed.rows(), -removed.storedBytes()),
                                            removed.rows() == 0 ? null
                                                    : new StoreDelta(job.storeId(), -removed.rows(), -removed.storedBytes(), -removed.rawBytes()));
                                })))).replaceWithVoid();
    }

    private void fail(ExportJob job, Position at, Throwable failure) {
        if (failure instanceof JobLost) {
            LOG.infof("Export job %s was taken over by another runner", job.id());
            return;
        }
        String error;
        if (failure instanceof ChunkFailed || failure instanceof DomainException) {
            error = failure.getMessage();
            LOG.infof("Export job %s failed: %s", job.id(), error);
        } else {
            // A database or quota failure here: the cause is the operator's to read, not the client's.
            error = "chunk " + (at.chunks + 1) + " failed: the service could not read the chunk or record its progress";
            LOG.warnf("Export job %s failed: %s", job.id(), failure.toString());
        }
        jobs.finish(job.id(), runnerId, ExportJob.Status.FAILED, error).subscribe().with(
                done -> { },
                unrecorded -> LOG.warnf("Export job %s failed and could not be marked failed: %s", job.id(), unrecorded.toString()));
    }

    /** A chunk as the destination receives it: {@code [{"key": …, "value": …}]}, values exactly as stored. */
    static byte[] chunkBody(List<StoredRecord> page, List<byte[]> values) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(page.size() * 256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartArray();
            for (int i = 0; i < page.size(); i++) {
                json.writeStartObject();
                ExportService.writeKeyAndValue(json, out, page.get(i).key(), values.get(i));
                json.writeEndObject();
            }
            json.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Where a running job stands: the last acknowledged key and how many chunks were acknowledged. */
    private static final class Position {
        private String lastKey;
        private long chunks;

        Position(String lastKey, long chunks) {
            this.lastKey = lastKey;
            this.chunks = chunks;
        }

        void advance(String key) {
            lastKey = key;
            chunks++;
        }
    }

    private static final class ChunkFailed extends RuntimeException {
        ChunkFailed(String message) {
            super(message, null, false, false);
        }
    }

    private static final class JobLost extends RuntimeException {
        JobLost() {
            super("the job belongs to another runner now", null, false, false);
        }
    }
}

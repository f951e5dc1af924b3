package dev.datastores.transfer;

import dev.datastores.domain.DomainException;
import dev.datastores.domain.DomainException.NotFound;
import dev.datastores.record.Keys;
import dev.datastores.record.RecordStorage;
import dev.datastores.tenant.Ids;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/** Starts export jobs after checking what they ask for, and shows them. */
@ApplicationScoped
public class ExportJobService {

    static final int DEFAULT_CHUNK = 100;
    static final int MAX_CHUNK = 1000;
    private static final int RECENT = 100;

    private final ExportJobRepository jobs;
    private final ExportJobRunner runner;
    private final Destinations destinations;
    private final RecordStorage records;

    public ExportJobService(ExportJobRepository jobs, ExportJobRunner runner, Destinations destinations, RecordStorage records) {
        this.jobs = jobs;
        this.runner = runner;
        this.destinations = destinations;
        this.records = records;
    }

    /** What a client asks an export job to do. */
    public record ExportRequest(String url, Integer chunkSize, Boolean deleteAfterExport, String prefix) {
    }

    /**
     * Checks the request, the store and the destination before anything is sent, then starts the job. The store
     * comes first, so another workspace's store answers 404 whatever the URL; the destination's name is resolved
     * on a worker thread.
     */
    public Uni<ExportJob> start(String workspaceId, String storeId, ExportRequest request) {
        if (request == null) {
            throw DomainException.invalidJson("The body is empty; send {\"url\": …}");
        }
        int chunkSize = request.chunkSize() == null ? DEFAULT_CHUNK : request.chunkSize();
        if (chunkSize < 1 || chunkSize > MAX_CHUNK) {
            throw DomainException.invalidRequest("chunkSize must be between 1 and " + MAX_CHUNK);
        }
        String prefix = request.prefix() == null || request.prefix().isEmpty() ? "" : Keys.require(request.prefix());
        boolean deleteAfterExport = Boolean.TRUE.equals(request.deleteAfterExport());
        return records.storeExists(workspaceId, storeId)
                .invoke(exists -> {
                    if (!exists) {
                        throw new NotFound("Store " + storeId);
                    }
                })
                .chain(exists -> Uni.createFrom().item(() -> destinations.require(request.url()))
                        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool()))
                .chain(destination -> jobs.create(Ids.next("exp_"), workspaceId, storeId, request.url(), chunkSize,
                        deleteAfterExport, prefix, runner.runnerId()))
                .invoke(job -> {
                    if (job == null) {
                        throw new NotFound("Store " + storeId);
                    }
                    runner.run(job);
                });
    }

    public Uni<ExportJob> get(String workspaceId, String storeId, String jobId) {
        return jobs.get(workspaceId, storeId, jobId).invoke(job -> {
            if (job == null) {
                throw new NotFound("Export job " + jobId);
            }
        });
    }

    /** The store's latest jobs, newest first; 404 when the store is not the workspace's. */
    public Uni<List<ExportJob>> recent(String workspaceId, String storeId) {
        return records.storeExists(workspaceId, storeId).chain(exists -> {
            if (!exists) {
                throw new NotFound("Store " + storeId);
            }
            return jobs.recent(workspaceId, storeId, RECENT);
        });
    }
}

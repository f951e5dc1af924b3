package dev.datastores.transfer;

import io.smallrye.mutiny.Multi;
import io.vertx.mutiny.core.buffer.Buffer;
import dev.datastores.http.Problems;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.core.MediaType;
import java.io.InputStream;
import org.jboss.resteasy.reactive.RestHeader;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import org.jboss.resteasy.reactive.RestMulti;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

/** Whole stores in and out as NDJSON streams. */
@Path("/v1/workspaces/{ws}/stores/{ds}")
public class TransferResource {

    public static final String NDJSON = "application/x-ndjson";

    private final ExportService exports;
    private final ImportService imports;

    public TransferResource(ExportService exports, ImportService imports) {
        this.exports = exports;
        this.imports = imports;
    }

    @GET
    @Path("export")
    @Produces(NDJSON)
    public Multi<Buffer> export(@RestPath String ws, @RestPath String ds, @RestQuery String prefix, @RestQuery String after) {
        return RestMulti.fromUniResponse(exports.export(ws, ds, prefix, after), stream -> stream);
    }

    /** Runs on a worker thread: it reads the request body as a stream while committing chunks. */
    @POST
    @Path("import")
    @Blocking
    @Produces(MediaType.APPLICATION_JSON)
    public ImportService.Imported importRecords(@RestPath String ws, @RestPath String ds,
            @RestHeader("Content-Type") String contentType, InputStream body) {
        // A charset parameter is not checked: lines are decoded strictly as UTF-8 whatever the label says (clients
        // such as REST Assured label NDJSON ISO-8859-1 by default), so bytes that are not UTF-8 are an invalid-line.
        if (contentType != null && !contentType.startsWith(NDJSON) && !contentType.startsWith("application/jsonl")) {
            throw Problems.unsupportedMediaType(contentType, NDJSON);
        }
        return imports.importLines(ws, ds, body);
    }
}

package dev.datastores.record;

import com.fasterxml.jackson.databind.util.RawValue;
import dev.datastores.auth.RequiresScope;
import dev.datastores.auth.Scope;
import dev.datastores.codec.ValueCodec;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.RestPath;

/** Operations on a store's records as a whole, at the store's level so that no key can be mistaken for one. */
@Path("/v1/workspaces/{ws}/stores/{ds}")
@Produces(MediaType.APPLICATION_JSON)
public class StoreRecordsResource {

    private final RecordService records;

    public StoreRecordsResource(RecordService records) {
        this.records = records;
    }

    @GET
    @Path("entries")
    @RequiresScope(Scope.READ)
    public Uni<Map<String, Map<String, RawValue>>> entries(@RestPath String ws, @RestPath String ds) {
        return records.whole(ws, ds, true).map(rows -> {
            Map<String, RawValue> entries = new LinkedHashMap<>();
            rows.forEach(row -> entries.put(row.key(),
                    new RawValue(new String(ValueCodec.decode(row.storedValue()), StandardCharsets.UTF_8))));
            return Map.of("entries", entries);
        });
    }

    @GET
    @Path("keys")
    @RequiresScope(Scope.READ)
    public Uni<Map<String, List<String>>> keys(@RestPath String ws, @RestPath String ds) {
        return records.whole(ws, ds, false).map(rows -> Map.of("keys", rows.stream().map(StoredRecord::key).toList()));
    }
}

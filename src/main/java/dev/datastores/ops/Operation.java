package dev.datastores.ops;

import dev.datastores.http.ApiRoute;
import java.util.Locale;

/** The operation a route performs, as metrics and logs name it: a family and a verb, {@code record.put}. */
final class Operation {

    private Operation() {
    }

    static String of(ApiRoute route) {
        return switch (route) {
            case PUT_RECORD -> "record.put";
            case GET_RECORD -> "record.get";
            case HEAD_RECORD -> "record.head";
            case DELETE_RECORD -> "record.delete";
            case LIST_RECORDS -> "record.list";
            case CLEAR_STORE -> "record.clear";
            case INCREMENT -> "record.increment";
            case APPEND -> "record.append";
            case GET_OR_CREATE -> "record.get-or-create";
            case EXPIRE -> "record.expire";
            case BATCH -> "record.batch";
            case BATCH_GET -> "record.batch-get";
            case ENTRIES -> "record.entries";
            case KEYS -> "record.keys";
            case DIFF -> "record.diff";
            case EXPORT -> "transfer.export";
            case IMPORT -> "transfer.import";
            case START_EXPORT_JOB -> "export-job.start";
            case LIST_EXPORT_JOBS -> "export-job.list";
            case GET_EXPORT_JOB -> "export-job.get";
            case WATCH_CHANGES -> "changes.watch";
            case CREATE_STORE -> "store.create";
            case LIST_STORES -> "store.list";
            case GET_STORE -> "store.get";
            case RENAME_STORE -> "store.rename";
            case DELETE_STORE -> "store.delete";
            case LIST_LINKS -> "link.list";
            case PUT_LINK -> "link.put";
            case DELETE_LINK -> "link.delete";
            case GET_WORKSPACE -> "workspace.get";
            case LIST_API_KEYS -> "api-key.list";
            case CREATE_API_KEY -> "api-key.create";
            case REVOKE_API_KEY -> "api-key.revoke";
            case LIST_PLANS -> "admin.plan.list";
            case PUT_PLAN -> "admin.plan.put";
            case CREATE_WORKSPACE -> "admin.workspace.create";
            case ADMIN_GET_WORKSPACE -> "admin.workspace.get";
            case ADMIN_PATCH_WORKSPACE -> "admin.workspace.update";
            case ADMIN_DELETE_WORKSPACE -> "admin.workspace.delete";
            case ADMIN_CREATE_API_KEY -> "admin.api-key.create";
            // a route added later is named after its table entry until it gets a name here
            default -> route.name().toLowerCase(Locale.ROOT).replace('_', '-');
        };
    }
}

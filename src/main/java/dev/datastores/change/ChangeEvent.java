package dev.datastores.change;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.datastores.codec.JsonText;
import dev.datastores.codec.ValueCodec;
import dev.datastores.record.Etags;
import java.nio.charset.StandardCharsets;

/**
 * A change as watchers receive it. What it renders to is kept, once per form: the replica's recent changes are shared
 * by all its watchers of the store, so a value is decompressed once, not once per watcher.
 */
public final class ChangeEvent {

    private final Change change;
    private volatile String withValue;
    private volatile String withoutValue;

    ChangeEvent(Change change) {
        this.change = change;
    }

    public Change change() {
        return change;
    }

    public long position() {
        return change.position();
    }

    /**
     * The event's members as JSON text without the braces: {@code key}, {@code etag}, {@code value} (with
     * {@code values}; compacted, since an event's data is one line), {@code expiresAt}, {@code reason}. Empty for a
     * clear or a store deletion.
     */
    public String members(boolean values) {
        String rendered = values ? withValue : withoutValue;
        if (rendered == null) {
            rendered = render(values);
            if (values) {
                withValue = rendered;
            } else {
                withoutValue = rendered;
            }
        }
        return rendered;
    }

    private String render(boolean values) {
        if (change.key() == null) {
            return "";
        }
        StringBuilder json = new StringBuilder(64).append("\"key\":\"")
                .append(JsonStringEncoder.getInstance().quoteAsString(change.key())).append("\",\"etag\":\"")
                .append(JsonStringEncoder.getInstance().quoteAsString(Etags.of(change.version()))).append('"');
        if (values && change.storedValue() != null) {
            json.append(",\"value\":")
                    .append(new String(JsonText.compact(ValueCodec.decode(change.storedValue())), StandardCharsets.UTF_8));
        }
        if (change.expiresAt() != null && change.kind() == Change.Kind.SET) {
            json.append(",\"expiresAt\":\"").append(change.expiresAt()).append('"');
        }
        if (change.expired()) {
            json.append(",\"reason\":\"expired\"");
        }
        return json.toString();
    }
}

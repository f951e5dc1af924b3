package dev.datastores.ops;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import jakarta.inject.Singleton;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps query strings' values out of spans, as out of logs: a query holds keys ({@code prefix}, {@code cursor},
 * {@code against}) and whatever a client put there by mistake (a token), and an export destination's query may hold
 * its signature. The HTTP instrumentation records them at a span's start ({@code url.query} of a request,
 * {@code url.full} of a call to a destination); here each value becomes {@code ?}, the parameters' names stay.
 * Quarkus adds every {@link SpanProcessor} bean to the tracer.
 */
@Singleton
public class QueryRedaction implements SpanProcessor {

    static final AttributeKey<String> URL_QUERY = AttributeKey.stringKey("url.query");
    static final AttributeKey<String> URL_FULL = AttributeKey.stringKey("url.full");
    /** A parameter: its name, and whether it has a value. */
    private static final Pattern PARAMETER = Pattern.compile("([^&=]*)(=?)[^&]*");

    @Override
    public void onStart(Context parent, ReadWriteSpan span) {
        String query = span.getAttribute(URL_QUERY);
        if (query != null) {
            span.setAttribute(URL_QUERY, redact(query));
        }
        String url = span.getAttribute(URL_FULL);
        int start = url == null ? -1 : url.indexOf('?');
        if (start >= 0) {
            span.setAttribute(URL_FULL, url.substring(0, start + 1) + redact(url.substring(start + 1)));
        }
    }

    /**
     * {@code prefix=a&limit=5} becomes {@code prefix=?&limit=?}; a parameter without {@code =} may be a value
     * itself, so it becomes {@code ?}.
     */
    static String redact(String query) {
        return PARAMETER.matcher(query).replaceAll(parameter -> parameter.group(1).isEmpty() && parameter.group(2).isEmpty()
                ? "" : parameter.group(2).isEmpty() ? "?" : Matcher.quoteReplacement(parameter.group(1)) + "=?");
    }

    @Override
    public boolean isStartRequired() {
        return true;
    }

    @Override
    public void onEnd(ReadableSpan span) {
    }

    @Override
    public boolean isEndRequired() {
        return false;
    }
}

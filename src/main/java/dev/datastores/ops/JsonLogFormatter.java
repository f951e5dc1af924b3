package dev.datastores.ops;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.logging.LogRecord;
import org.jboss.logmanager.ExtFormatter;
import org.jboss.logmanager.ExtLogRecord;

/**
 * A log record as one JSON object per line: time, level, logger, message, the request's {@code traceId},
 * {@code spanId}, {@code workspaceId} and {@code route} when it has them, and the exception's stack trace.
 * Only these MDC entries are written, and the service logs neither values, tokens nor query strings, so
 * none reach a line. Used when {@code datastores.log.json} is on, since quarkus-logging-json does not exist
 * for this Quarkus release.
 */
final class JsonLogFormatter extends ExtFormatter {

    private static final List<String> CONTEXT = List.of("traceId", "spanId", LogContextFilter.WORKSPACE, LogContextFilter.ROUTE);
    private static final JsonStringEncoder ESCAPE = JsonStringEncoder.getInstance();

    @Override
    public String format(ExtLogRecord record) {
        StringBuilder line = new StringBuilder(256).append('{');
        member(line, "timestamp", Instant.ofEpochMilli(record.getMillis()).toString());
        member(line, "level", record.getLevel().getName());
        member(line, "logger", record.getLoggerName());
        member(line, "thread", record.getThreadName());
        member(line, "message", formatMessage(record));
        for (String key : CONTEXT) {
            String value = record.getMdc(key);
            if (value != null && !value.isEmpty()) {
                member(line, key, value);
            }
        }
        if (record.getThrown() != null) {
            member(line, "exception", stackTrace(record));
        }
        return line.append("}\n").toString();
    }

    private static void member(StringBuilder line, String name, String value) {
        if (line.length() > 1) {
            line.append(',');
        }
        line.append('"').append(name).append("\":\"");
        ESCAPE.quoteAsString(value == null ? "" : value, line);
        line.append('"');
    }

    private static String stackTrace(LogRecord record) {
        StringWriter trace = new StringWriter();
        record.getThrown().printStackTrace(new PrintWriter(trace));
        return trace.toString();
    }
}

package dev.datastores.codec;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import java.util.regex.Pattern;

/** What was wrong with a JSON body, in a client's words: where, and what, without the parser's internals. */
public final class JsonFailures {

    /** Parser messages quote Java names in backticks ({@code `StreamReadConstraints.getMaxNestingDepth()`}). */
    private static final Pattern QUOTED_INTERNALS = Pattern.compile("\\s*\\(?[^()`]*`[^`]*`[^()]*\\)?");

    private JsonFailures() {
    }

    public static String describe(JsonProcessingException failure) {
        String what = failure instanceof StreamConstraintsException ? limitPassed(failure.getOriginalMessage())
                : plain(failure.getOriginalMessage());
        return what + at(failure.getLocation());
    }

    private static String limitPassed(String message) {
        String text = message == null ? "" : message;
        if (text.contains("nesting depth")) {
            return "The JSON is nested deeper than 64 levels";
        }
        if (text.contains("Number value length")) {
            return "A number is longer than 1000 characters";
        }
        if (text.contains("String value length") || text.contains("Name length")) {
            return "A string is longer than this service accepts";
        }
        return "The JSON passes a limit of this service";
    }

    private static String plain(String message) {
        if (message == null || message.isBlank()) {
            return "The body is not valid JSON";
        }
        String text = message;
        for (String tail : new String[] {"\n", " (start marker at", "[Source:"}) {
            int cut = text.indexOf(tail);
            if (cut >= 0) {
                text = text.substring(0, cut);
            }
        }
        // after the first ": " parsers explain themselves in terms of their own features and settings
        int explanation = text.indexOf(": ");
        if (explanation > 0) {
            text = text.substring(0, explanation);
        }
        text = QUOTED_INTERNALS.matcher(text).replaceAll("").trim();
        while (text.endsWith(":") || text.endsWith(";") || text.endsWith(",")) {
            text = text.substring(0, text.length() - 1).trim();
        }
        return text.isEmpty() ? "The body is not valid JSON" : "Invalid JSON: " + text;
    }

    private static String at(JsonLocation location) {
        return location == null || location.getLineNr() < 1 ? ""
                : " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
    }
}

package dev.datastores.record;

import dev.datastores.domain.DomainException;
import java.util.regex.Pattern;

/** Strong ETags made of a record's version: {@code "42"}. */
public final class Etags {

    /** The version a foreign ETag names: no record has it, so a condition on it always fails. */
    public static final long NO_VERSION = -1L;
    private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,17}");

    private Etags() {
    }

    public static String of(long version) {
        return "\"" + version + "\"";
    }

    /**
     * The version an {@code If-Match} header names; {@code *} and absent headers give null. If-Match compares
     * strongly, byte for byte: a weak ETag, or one that is not exactly how this service writes a version
     * ({@code "079"}), can never match, so it maps to {@link #NO_VERSION}.
     */
    public static Long versionOf(String ifMatch) {
        if (ifMatch == null || ifMatch.trim().equals("*")) {
            return null;
        }
        if (ifMatch.isBlank()) {
            // an empty condition is a mistake (an ETag variable left empty), never "no condition": that would overwrite
            throw DomainException.invalidRequest("If-Match is empty: send a quoted ETag such as \"42\", or *");
        }
        return versionNamed(ifMatch.trim(), "If-Match", " or *");
    }

    /**
     * The version a batch check's {@code etag} names, compared as {@code If-Match} compares: strongly, by its exact
     * text. Unlike If-Match it takes no {@code *}: a check names one version, or says {@code absent}.
     */
    public static long versionOfCheck(String etag, String where) {
        if (etag == null || etag.isBlank() || etag.trim().equals("*")) {
            throw DomainException.invalidRequest(where + " must be a quoted ETag such as \"42\"");
        }
        return versionNamed(etag.trim(), where, "");
    }

    private static long versionNamed(String tag, String where, String orElse) {
        if (tag.contains(",")) {
            throw DomainException.invalidRequest(where + " takes a single ETag");
        }
        boolean weak = tag.startsWith("W/");
        if (weak) {
            tag = tag.substring(2);
        }
        if (tag.length() < 2 || !tag.startsWith("\"") || !tag.endsWith("\"")) {
            throw DomainException.invalidRequest(where + " must be a quoted ETag such as \"42\"" + orElse);
        }
        String version = tag.substring(1, tag.length() - 1);
        return weak || !VERSION.matcher(version).matches() ? NO_VERSION : Long.parseLong(version);
    }

    /** Whether an {@code If-None-Match} header on a read names this version (weak comparison). */
    public static boolean noneMatchHits(String ifNoneMatch, long version) {
        if (ifNoneMatch == null) {
            return false;
        }
        String etag = of(version);
        for (String candidate : ifNoneMatch.split(",")) {
            String tag = candidate.trim();
            if (tag.equals("*") || tag.equals(etag) || tag.equals("W/" + etag)) {
                return true;
            }
        }
        return false;
    }
}

package dev.datastores.record;

import dev.datastores.domain.DomainException;

/** Strong ETags made of a record's version: {@code "42"}. */
public final class Etags {

    private Etags() {
    }

    public static String of(long version) {
        return "\"" + version + "\"";
    }

    /**
     * The version an {@code If-Match} header names; {@code *} and absent headers give null. A
     * syntactically foreign ETag can never match, so it maps to a version no record has.
     */
    public static Long versionOf(String ifMatch) {
        if (ifMatch == null || ifMatch.isBlank() || ifMatch.trim().equals("*")) {
            return null;
        }
        String tag = ifMatch.trim();
        if (tag.contains(",")) {
            throw DomainException.invalidRequest("If-Match takes a single ETag");
        }
        if (tag.startsWith("W/")) {
            tag = tag.substring(2);
        }
        if (tag.length() < 2 || !tag.startsWith("\"") || !tag.endsWith("\"")) {
            throw DomainException.invalidRequest("If-Match must be a quoted ETag such as \"42\" or *");
        }
        try {
            return Long.parseLong(tag.substring(1, tag.length() - 1));
        } catch (NumberFormatException e) {
            return -1L;
        }
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

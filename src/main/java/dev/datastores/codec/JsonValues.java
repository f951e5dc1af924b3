package dev.datastores.codec;

import dev.datastores.domain.DomainException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;

/**
 * Checks that bytes are exactly one JSON value, with a streaming parser that builds no tree: the
 * bytes themselves are what gets stored, so members keep their order and numbers their text.
 */
public final class JsonValues {

    public static final int MAX_DEPTH = 64;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxNumberLength(1000)
                    .maxStringLength(Integer.MAX_VALUE)
                    .build())
            .build();

    private JsonValues() {
    }

    /**
     * Throws invalid-json unless {@code bytes} hold exactly one JSON value nested at most 64 deep, as RFC 8259 text
     * in UTF-8 ({@link JsonText#require}).
     */
    public static void requireSingleValue(byte[] bytes) {
        JsonText.require(bytes);
        requireSingleValueOfCheckedText(bytes);
    }

    /**
     * {@link #requireSingleValue} for bytes already known to be JSON text in UTF-8: a value cut out of a body that
     * {@link RawJson} checked, or one built from checked values. Scanning them again would find nothing new.
     */
    public static void requireSingleValueOfCheckedText(byte[] bytes) {
        try (JsonParser parser = FACTORY.createParser(bytes)) {
            if (parser.nextToken() == null) {
                throw DomainException.invalidJson("The body is empty; send one JSON value");
            }
            parser.skipChildren();
            JsonToken trailing = parser.nextToken();
            if (trailing != null) {
                throw DomainException.invalidJson("More than one JSON value" + at(parser));
            }
        } catch (JsonProcessingException e) {
            throw DomainException.invalidJson(JsonFailures.describe(e));
        } catch (IOException e) {
            throw DomainException.invalidJson(e.getMessage());
        }
    }

    private static String at(JsonParser parser) {
        return " at line " + parser.currentLocation().getLineNr() + ", column " + parser.currentLocation().getColumnNr();
    }

}

package dev.datastores.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.core.io.InputDecorator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.datastores.codec.JsonText;
import dev.datastores.codec.JsonValues;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;

/**
 * Request bodies read into objects (stores, links, keys, plans) are held to the rules record values follow:
 * one JSON value, RFC 8259 text in UTF-8 ({@link JsonText#require}), no duplicate members, at most 64 deep; and a
 * member of the wrong type is refused rather than coerced ({@code "name": 5} is not the name "5",
 * {@code "maxStores": 1.5} is not 1).
 */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {

    // Quarkus builds this mapper's factory, so the deprecated setter is the one way to give it a decorator.
    @SuppressWarnings("deprecation")
    @Override
    public void customize(ObjectMapper mapper) {
        mapper.getFactory().setInputDecorator(new TextCheck());
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(JsonValues.MAX_DEPTH).build());
        mapper.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
    }

    /** Holds each body to {@link JsonText#require} before Jackson parses a byte of it. */
    private static final class TextCheck extends InputDecorator {

        @Override
        public InputStream decorate(IOContext context, InputStream in) throws IOException {
            byte[] body = in.readAllBytes();
            JsonText.require(body);
            return new ByteArrayInputStream(body);
        }

        @Override
        public InputStream decorate(IOContext context, byte[] source, int offset, int length) {
            JsonText.require(source, offset, length);
            return null; // parse the bytes as they are
        }

        /** Text already decoded has no encoding left to check; request bodies arrive as bytes. */
        @Override
        public Reader decorate(IOContext context, Reader reader) {
            return reader;
        }
    }
}

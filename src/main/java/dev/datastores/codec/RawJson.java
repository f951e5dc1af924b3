package dev.datastores.codec;

import dev.datastores.domain.DomainException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request body read as a tree whose every node keeps the exact bytes it was sent as, so a value
 * inside an operation's body ({@code {"key": …, "value": …}}) is stored exactly as sent: member order,
 * number text and all.
 */
public final class RawJson {

    /**
     * A value sits at most three levels inside its body ({@code {"set": [{"value": …}]}}), and each value is then
     * held to {@link JsonValues#MAX_DEPTH} on its own: the body may be that much deeper.
     */
    private static final int VALUE_NESTING = 3;
    /** The member holding a record's value, whose bytes are stored as sent. */
    private static final String VALUE = "value";

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(JsonValues.MAX_DEPTH + VALUE_NESTING)
                    .maxNumberLength(1000)
                    .build())
            .build();

    private final byte[] source;
    private final int start;
    private final int end;
    private final JsonToken token;
    private final String text;
    private final Map<String, RawJson> members;
    private final List<RawJson> elements;

    private RawJson(byte[] source, int start, int end, JsonToken token, String text, Map<String, RawJson> members,
            List<RawJson> elements) {
        this.source = source;
        this.start = start;
        this.end = end;
        this.token = token;
        this.text = text;
        this.members = members;
        this.elements = elements;
    }

    /** Parses a whole body that must be one JSON object, as RFC 8259 text in UTF-8 ({@link JsonText#require}). */
    public static RawJson parseObject(byte[] body) {
        JsonText.require(body);
        try (JsonParser parser = FACTORY.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw DomainException.invalidJson("The body must be a JSON object");
            }
            RawJson root = read(parser, body);
            if (parser.nextToken() != null) {
                throw DomainException.invalidJson("More than one JSON value in the body");
            }
            return root;
        } catch (JsonProcessingException e) {
            throw DomainException.invalidJson(JsonFailures.describe(e));
        } catch (IOException e) {
            throw DomainException.invalidJson(e.getMessage());
        }
    }

    private static RawJson read(JsonParser parser, byte[] body) throws IOException {
        JsonToken token = parser.currentToken();
        int start = (int) parser.currentTokenLocation().getByteOffset();
        if (token == JsonToken.START_OBJECT) {
            Map<String, RawJson> members = new LinkedHashMap<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                members.put(name, name.equals(VALUE) ? opaque(parser, body) : read(parser, body));
            }
            return new RawJson(body, start, end(parser), token, null, members, null);
        }
        if (token == JsonToken.START_ARRAY) {
            List<RawJson> elements = new ArrayList<>();
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                elements.add(read(parser, body));
            }
            return new RawJson(body, start, end(parser), token, null, null, elements);
        }
        String text = parser.getText();
        return new RawJson(body, start, end(parser), token, text, null, null);
    }

    /**
     * A record's value, read through (so it is still checked as JSON) but not built into nodes: only its bytes
     * are ever used, and for a value of a few KiB the nodes would cost more than the rest of the body.
     */
    private static RawJson opaque(JsonParser parser, byte[] body) throws IOException {
        JsonToken token = parser.currentToken();
        int start = (int) parser.currentTokenLocation().getByteOffset();
        // reading a scalar's text finishes its token, which its end offset needs
        String text = token.isScalarValue() ? parser.getText() : null;
        parser.skipChildren();
        return new RawJson(body, start, end(parser), token, text, null, null);
    }

    private static int end(JsonParser parser) {
        return (int) parser.currentLocation().getByteOffset();
    }

    /** The member, or null when absent. Only for objects. */
    public RawJson member(String name) {
        return members == null ? null : members.get(name);
    }

    public boolean isObject() {
        return members != null;
    }

    public boolean isArray() {
        return elements != null;
    }

    public boolean isNull() {
        return token == JsonToken.VALUE_NULL;
    }

    public boolean isString() {
        return token == JsonToken.VALUE_STRING;
    }

    public boolean isNumber() {
        return token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT;
    }

    /** Whether this is the literal {@code true}. */
    public boolean isTrue() {
        return token == JsonToken.VALUE_TRUE;
    }

    public List<RawJson> elements() {
        return elements;
    }

    public Map<String, RawJson> members() {
        return members;
    }

    /** A string's value, or the text of a scalar. */
    public String text() {
        return text;
    }

    public BigDecimal decimal() {
        return new BigDecimal(text);
    }

    /** The bytes this node was sent as. */
    public byte[] bytes() {
        byte[] raw = Arrays.copyOfRange(source, start, end);
        int length = raw.length;
        while (length > 0 && Character.isWhitespace(raw[length - 1])) {
            length--;
        }
        return length == raw.length ? raw : Arrays.copyOf(raw, length);
    }

    @Override
    public String toString() {
        return new String(bytes(), StandardCharsets.UTF_8);
    }

}

package dev.datastores.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.datastores.domain.DomainException;
import dev.datastores.support.GeneratedJson;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The body scanner: members found, each value's bytes exactly as sent, and anything but one object refused. */
class RawJsonTest {

    private static final ObjectMapper JACKSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private static final String BODY = """
            { "obj" : {"a": [1, 2.50, {"b": null}], "c": {}} ,
              "arr":[ "x" , true,false ,null, [] ],
              "str": "q\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00",
              "uni"\t:\t"é中😀",
              "int": -0,
              "num": 12.500e+07 ,
              "big": 123456789012345678901234567890,
              "t": true, "f": false, "z": null,
              "é\\u0301": 1
            }
            """;

    @Test
    void membersAreFoundInTheOrderSent() {
        RawJson body = RawJson.parseObject(utf8(BODY));

        assertThat(body.isObject()).isTrue();
        assertThat(body.members().keySet()).containsExactly("obj", "arr", "str", "uni", "int", "num", "big", "t", "f", "z",
                "é\u0301");
        assertThat(body.member("absent")).isNull();
    }

    @Test
    void eachValueKeepsTheBytesItWasSentAsWithoutTheWhitespaceAroundIt() {
        RawJson body = RawJson.parseObject(utf8(BODY));

        assertThat(raw(body.member("obj"))).isEqualTo("{\"a\": [1, 2.50, {\"b\": null}], \"c\": {}}");
        assertThat(raw(body.member("arr"))).isEqualTo("[ \"x\" , true,false ,null, [] ]");
        assertThat(raw(body.member("str"))).isEqualTo("\"q\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"");
        assertThat(raw(body.member("uni"))).isEqualTo("\"é中😀\"");
        assertThat(raw(body.member("int"))).isEqualTo("-0");
        assertThat(raw(body.member("num"))).isEqualTo("12.500e+07");
        assertThat(raw(body.member("big"))).isEqualTo("123456789012345678901234567890");
        assertThat(raw(body.member("t"))).isEqualTo("true");
        assertThat(raw(body.member("f"))).isEqualTo("false");
        assertThat(raw(body.member("z"))).isEqualTo("null");
        assertThat(raw(body.member("é\u0301"))).isEqualTo("1");
        assertThat(body.bytes()).isEqualTo(utf8(BODY.strip()));
        assertThat(body.member("uni").bytes()).isEqualTo("\"é中😀\"".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void nestedObjectsAndArraysAreNodesWithTheirOwnBytes() {
        RawJson obj = RawJson.parseObject(utf8(BODY)).member("obj");

        assertThat(obj.isObject()).isTrue();
        RawJson a = obj.member("a");
        assertThat(a.isArray()).isTrue();
        assertThat(a.elements()).extracting(RawJson::toString).containsExactly("1", "2.50", "{\"b\": null}");
        assertThat(a.elements().get(2).member("b").isNull()).isTrue();
        assertThat(obj.member("c").isObject()).isTrue();
        assertThat(obj.member("c").members()).isEmpty();

        RawJson arr = RawJson.parseObject(utf8(BODY)).member("arr");
        assertThat(arr.elements()).extracting(RawJson::toString).containsExactly("\"x\"", "true", "false", "null", "[]");
        assertThat(arr.elements().get(4).isArray()).isTrue();
        assertThat(arr.elements().get(4).elements()).isEmpty();
    }

    @Test
    void scalarsTellTheirKindAndText() {
        RawJson body = RawJson.parseObject(utf8(BODY));

        RawJson str = body.member("str");
        assertThat(str.isString()).isTrue();
        assertThat(str.isNumber()).isFalse();
        assertThat(str.text()).isEqualTo("q\"\\/\b\f\n\r\té\uD83D\uDE00");
        assertThat(body.member("uni").text()).isEqualTo("é中😀");

        RawJson num = body.member("num");
        assertThat(num.isNumber()).isTrue();
        assertThat(num.isString()).isFalse();
        assertThat(num.text()).isEqualTo("12.500e+07");
        assertThat(num.decimal()).isEqualTo(new BigDecimal("12.500e+07"));
        assertThat(body.member("big").decimal()).isEqualTo(new BigDecimal("123456789012345678901234567890"));
        assertThat(body.member("int").isNumber()).isTrue();

        assertThat(body.member("z").isNull()).isTrue();
        assertThat(body.member("t").text()).isEqualTo("true");
        assertThat(List.of(body.member("t"), body.member("f"))).noneMatch(node -> node.isNull() || node.isString()
                || node.isNumber() || node.isObject() || node.isArray());
    }

    @Test
    void aValueMemberIsKeptAsBytesOnlyWhereverItIs() {
        RawJson body = RawJson.parseObject(utf8("""
                {"key": "k", "value" : {"a" : [1, {"value": 2}], "b": "c"}\t,
                 "set": [{"key": "j", "value": [ 1, 2 ] }, {"value": "s\\n"}, {"value": 1.50 }]}
                """));

        RawJson value = body.member("value");
        assertThat(raw(value)).isEqualTo("{\"a\" : [1, {\"value\": 2}], \"b\": \"c\"}");
        assertThat(value.isObject()).as("not built into members").isFalse();
        assertThat(value.member("a")).isNull();

        List<RawJson> set = body.member("set").elements();
        assertThat(raw(set.get(0).member("value"))).isEqualTo("[ 1, 2 ]");
        assertThat(set.get(0).member("value").isArray()).as("not built into elements").isFalse();
        assertThat(set.get(0).member("value").elements()).isNull();
        assertThat(set.get(1).member("value").isString()).isTrue();
        assertThat(set.get(1).member("value").text()).isEqualTo("s\n");
        assertThat(raw(set.get(2).member("value"))).isEqualTo("1.50");
        assertThat(set.get(2).member("value").isNumber()).isTrue();
        assertThat(set.get(2).member("value").decimal()).isEqualTo(new BigDecimal("1.50"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"a\": 1, \"a\": 2}",
            "{\"a\": 1, \"b\": 2, \"a\": 1}",
            "{\"o\": {\"x\": [], \"x\": []}}",
            "{\"set\": [{\"key\": \"k\", \"key\": \"j\"}]}",
            "{\"value\": {\"x\": 1, \"x\": 2}}",
            "{\"value\": [{\"x\": 1, \"x\": 2}]}",
            "{\"a\": 1, \"\\u0061\": 2}",
    })
    void duplicateMembersAreRefusedAtAnyDepth(String body) {
        assertInvalidJson(body, "Duplicate field");
    }

    @Test
    void theSameNameInDifferentObjectsIsNoDuplicate() {
        RawJson body = RawJson.parseObject(utf8("{\"a\": {\"a\": 1}, \"b\": [{\"a\": 2}, {\"a\": 3}]}"));

        assertThat(raw(body.member("a").member("a"))).isEqualTo("1");
        assertThat(body.member("b").elements()).extracting(element -> raw(element.member("a"))).containsExactly("2", "3");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "[{}]", "1", "\"{}\"", "null", "true", "", "  \n"})
    void aBodyThatIsNotAnObjectIsRefused(String body) {
        assertInvalidJson(body, "The body must be a JSON object");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}{}", "{} {}", "{\"a\": 1}\n[]", "{} 1", "{}\"s\"", "{} null"})
    void aValueAfterTheObjectIsRefused(String body) {
        assertInvalidJson(body, "More than one JSON value in the body");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}}", "{}]", "{} x", "{},{}", "{\"a\": 1", "{\"a\" 1}", "{\"a\": 1,}", "{\"a\": [1,]}",
            "{'a': 1}", "{a: 1}", "{\"a\": 01}", "{\"a\": NaN}", "{\"a\": .5}", "{\"a\": 1 /* c */}", "{\"a\": \"\\x\"}",
            "{\"a\": \"\t\"}", "{\"value\": [1 2]}", "{\"value\": tru}"})
    void textThatIsNotJsonIsRefused(String body) {
        assertThatThrownBy(() -> RawJson.parseObject(utf8(body))).isInstanceOfSatisfying(DomainException.Invalid.class,
                refusal -> assertThat(refusal.kind()).isEqualTo(DomainException.Invalid.Input.JSON));
    }

    @Test
    void bytesThatAreNotUtf8TextAreRefused() {
        byte[] byteOrderMark = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'};
        byte[] latin1 = {'{', '"', 'a', '"', ':', '"', (byte) 0xE9, '"', '}'};

        assertInvalidJson(byteOrderMark, "byte-order mark");
        assertInvalidJson(latin1, "Not valid UTF-8");
        assertInvalidJson("{\"a\": \"\\ud83d\"}", "lone surrogate");
    }

    @Test
    void whitespaceAroundTheObjectIsAccepted() {
        RawJson body = RawJson.parseObject(utf8(" \r\n\t{\"a\" :1 }\n\t "));

        assertThat(raw(body.member("a"))).isEqualTo("1");
        assertThat(raw(body)).isEqualTo("{\"a\" :1 }");
    }

    @Test
    void aBodyMayNestThreeLevelsMoreThanAValue() {
        int valueDepth = JsonValues.MAX_DEPTH;
        String deepest = "{\"set\": [{\"value\": " + "[".repeat(valueDepth) + "]".repeat(valueDepth) + "}]}";
        String deeper = "{\"set\": [{\"value\": " + "[".repeat(valueDepth + 1) + "]".repeat(valueDepth + 1) + "}]}";

        assertThat(RawJson.parseObject(utf8(deepest)).member("set").elements().get(0).member("value").bytes())
                .hasSize(2 * valueDepth);
        assertInvalidJson(deeper, "nested deeper");
    }

    /**
     * Objects written by Jackson from generated maps, compact or pretty, non-ASCII raw or escaped: every node the
     * scanner builds, at every depth, has bytes that parse to the same tree as the value it stands for, and
     * objects list their members in the order written.
     */
    @Property(tries = 150)
    void everyValueParsesToTheTreeOfTheValueWritten(@ForAll("objects") Map<String, Object> object, @ForAll boolean pretty,
            @ForAll boolean escapeNonAscii) throws IOException {
        ObjectWriter writer = pretty ? JACKSON.writerWithDefaultPrettyPrinter() : JACKSON.writer();
        if (escapeNonAscii) {
            writer = writer.with(JsonGenerator.Feature.ESCAPE_NON_ASCII);
        }
        byte[] body = writer.writeValueAsBytes(object);

        RawJson root = RawJson.parseObject(body);

        assertSameTree(root, JACKSON.valueToTree(object));
    }

    /**
     * Objects whose members are generated JSON text (any escapes, number text, whitespace): each member's bytes are
     * exactly the text sent, without the whitespace around it.
     */
    @Property(tries = 150)
    void everyMemberKeepsExactlyTheTextSent(@ForAll("members") List<GeneratedJson> values, @ForAll boolean spaced) {
        StringBuilder body = new StringBuilder("{");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            // "value" is kept as bytes only; the other names are built into nodes
            String name = i == 1 ? "value" : "m" + i;
            names.add(name);
            body.append(i == 0 ? "" : ",").append(spaced ? "\n  " : "").append('"').append(name).append("\":")
                    .append(spaced ? values.get(i).spaced() : values.get(i).compact());
        }
        body.append(spaced ? "\n}\n" : "}");

        RawJson root = RawJson.parseObject(utf8(body.toString()));

        assertThat(root.members().keySet()).containsExactlyElementsOf(names);
        for (int i = 0; i < values.size(); i++) {
            String sent = spaced ? values.get(i).spaced().replaceAll("^[ \t\r\n]+|[ \t\r\n]+$", "") : values.get(i).compact();
            assertThat(raw(root.member(names.get(i)))).isEqualTo(sent);
        }
    }

    @Provide
    Arbitrary<List<GeneratedJson>> members() {
        return GeneratedJson.values(3).list().ofMaxSize(5);
    }

    @Provide
    Arbitrary<Map<String, Object>> objects() {
        return maps(values(3));
    }

    private static Arbitrary<Object> values(int depth) {
        return Arbitraries.recursive(RawJsonTest::scalars, inner -> Arbitraries.oneOf(inner,
                inner.list().ofMaxSize(4).map(list -> (Object) list),
                maps(inner).map(map -> (Object) map)), 0, depth);
    }

    /** Insertion-ordered, so the order written is the order generated; "value" often among the names. */
    private static Arbitrary<Map<String, Object>> maps(Arbitrary<Object> values) {
        Arbitrary<String> names = Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just("value")), Tuple.of(4, texts()));
        return Combinators.combine(names, values).as(Tuple::of).list().ofMaxSize(5).uniqueElements(Tuple.Tuple2::get1)
                .map(members -> {
                    Map<String, Object> map = new LinkedHashMap<>();
                    members.forEach(member -> map.put(member.get1(), member.get2()));
                    return map;
                });
    }

    private static Arbitrary<Object> scalars() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, texts().map(text -> (Object) text)),
                Tuple.of(1, Arbitraries.longs().map(n -> (Object) n)),
                Tuple.of(1, Arbitraries.doubles().map(n -> (Object) n)),
                Tuple.of(1, Arbitraries.bigDecimals().between(new BigDecimal("-1e40"), new BigDecimal("1e40")).ofScale(12)
                        .map(n -> (Object) n)),
                Tuple.of(1, Arbitraries.bigIntegers().between(new BigDecimal("-1e40").toBigInteger(),
                        new BigDecimal("1e40").toBigInteger()).map(n -> (Object) n)),
                Tuple.of(1, Arbitraries.of(true, false).map(b -> (Object) b)),
                Tuple.of(1, Arbitraries.just(null)));
    }

    /** Any Unicode scalar values, weighted to controls, quotes, backslashes and characters past U+FFFF. */
    private static Arbitrary<String> texts() {
        Arbitrary<Integer> codePoint = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.integers().between(0x20, 0x7E)),
                Tuple.of(2, Arbitraries.integers().between(0, 0x1F)),
                Tuple.of(2, Arbitraries.of((int) '"', (int) '\\', (int) '/', 0x7F, 0x2028, 0xFEFF)),
                Tuple.of(2, Arbitraries.integers().between(0x80, 0xD7FF)),
                Tuple.of(1, Arbitraries.integers().between(0xE000, 0xFFFF)),
                Tuple.of(2, Arbitraries.integers().between(0x10000, 0x10FFFF)));
        return codePoint.list().ofMaxSize(8).map(points -> points.stream()
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString());
    }

    /** Numbers equal when their values are (a double written and read back is a decimal of the same value). */
    private static final Comparator<JsonNode> SAME_VALUE = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    };

    private static void assertSameTree(RawJson node, JsonNode expected) throws IOException {
        JsonNode parsed = JACKSON.readTree(node.bytes());
        assertThat(parsed.equals(SAME_VALUE, expected)).as("%s parses to %s", node, expected).isTrue();
        if (node.isObject()) {
            List<String> names = new ArrayList<>();
            expected.fieldNames().forEachRemaining(names::add);
            assertThat(node.members().keySet()).containsExactlyElementsOf(names);
            for (String name : names) {
                assertSameTree(node.member(name), expected.get(name));
            }
        } else if (node.isArray()) {
            assertThat(node.elements()).hasSize(expected.size());
            Iterator<JsonNode> elements = expected.elements();
            for (RawJson element : node.elements()) {
                assertSameTree(element, elements.next());
            }
        }
    }

    private static void assertInvalidJson(String body, String detail) {
        assertInvalidJson(utf8(body), detail);
    }

    private static void assertInvalidJson(byte[] body, String detail) {
        assertThatThrownBy(() -> RawJson.parseObject(body)).isInstanceOfSatisfying(DomainException.Invalid.class, refusal -> {
            assertThat(refusal.kind()).isEqualTo(DomainException.Invalid.Input.JSON);
            assertThat(refusal.getMessage()).contains(detail);
        });
    }

    private static String raw(RawJson node) {
        return new String(node.bytes(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}

package dev.datastores.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * A generated JSON value written two ways from the same tokens: {@code compact}, with no whitespace between
 * them, and {@code spaced}, with random whitespace (newlines, tabs, indentation) between them. Strings hold any
 * Unicode, control characters and quotes, each character written raw or escaped at random (characters past
 * U+FFFF as surrogate pair escapes); numbers are text of any length, exponents and trailing zeros included.
 */
public record GeneratedJson(String compact, String spaced) {

    private static final List<String> WHITESPACE = List.of(" ", "\n", "\r\n", "\t", "\n    ", "  ", "\n\t\t");
    private static final String SHORT_ESCAPES = "\"\\\b\f\n\r\t";
    private static final String SHORT_ESCAPE_LETTERS = "\"\\bfnrt";

    /** Values nested up to {@code depth} arrays or objects deep. */
    public static Arbitrary<GeneratedJson> values(int depth) {
        return Combinators.combine(tree(depth), Arbitraries.longs()).as((tree, seed) -> {
            List<String> tokens = new ArrayList<>();
            tree.tokens(tokens, new Random(seed));
            return new GeneratedJson(String.join("", tokens), spaced(tokens, new Random(~seed)));
        });
    }

    /** A value nested {@code depth} levels deep, pretty-printed: objects and arrays in turn. */
    public static String deep(int depth) {
        StringBuilder open = new StringBuilder();
        StringBuilder close = new StringBuilder();
        for (int level = 0; level < depth; level++) {
            String indent = "\n" + "  ".repeat(level + 1);
            open.append(level % 2 == 0 ? "{" + indent + "\"l" + level + "\" : " : "[" + indent);
            close.insert(0, "\n" + "  ".repeat(level) + (level % 2 == 0 ? "}" : "]"));
        }
        return open + "1.0E+2" + close;
    }

    private static String spaced(List<String> tokens, Random random) {
        StringBuilder text = new StringBuilder(whitespace(random));
        for (String token : tokens) {
            text.append(token).append(whitespace(random));
        }
        return text.toString();
    }

    private static String whitespace(Random random) {
        return random.nextBoolean() ? "" : WHITESPACE.get(random.nextInt(WHITESPACE.size()));
    }

    /** A JSON value before it is written: its strings are written when the escapes are chosen. */
    private sealed interface Node {
        void tokens(List<String> out, Random random);
    }

    private record Scalar(String text) implements Node {
        public void tokens(List<String> out, Random random) {
            out.add(text);
        }
    }

    private record Text(String value) implements Node {
        public void tokens(List<String> out, Random random) {
            out.add(string(value, random));
        }
    }

    private record ArrayValue(List<Node> elements) implements Node {
        public void tokens(List<String> out, Random random) {
            out.add("[");
            for (int i = 0; i < elements.size(); i++) {
                if (i > 0) {
                    out.add(",");
                }
                elements.get(i).tokens(out, random);
            }
            out.add("]");
        }
    }

    private record Member(String name, Node value) {
    }

    private record ObjectValue(List<Member> members) implements Node {
        public void tokens(List<String> out, Random random) {
            out.add("{");
            for (int i = 0; i < members.size(); i++) {
                if (i > 0) {
                    out.add(",");
                }
                out.add(string(members.get(i).name(), random));
                out.add(":");
                members.get(i).value().tokens(out, random);
            }
            out.add("}");
        }
    }

    private static Arbitrary<Node> tree(int depth) {
        return Arbitraries.recursive(GeneratedJson::scalar, inner -> Arbitraries.oneOf(
                inner,
                inner.list().ofMaxSize(5).map(ArrayValue::new),
                Combinators.combine(texts(), inner).as(Member::new).list().ofMaxSize(5).uniqueElements(Member::name)
                        .map(ObjectValue::new)), 0, depth);
    }

    private static Arbitrary<Node> scalar() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, texts().map(Text::new)),
                Tuple.of(3, numbers().map(Scalar::new)),
                Tuple.of(1, Arbitraries.of("true", "false", "null").map(Scalar::new)));
    }

    /** Strings of any Unicode scalar values, weighted to the ones that need care. */
    private static Arbitrary<String> texts() {
        Arbitrary<Integer> codePoint = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.integers().between(0x20, 0x7E)),
                Tuple.of(2, Arbitraries.integers().between(0, 0x1F)),
                Tuple.of(2, Arbitraries.of((int) '"', (int) '\\', (int) '/', 0xFEFF, 0x2028, 0x2029, 0xFFFF, 0x7F)),
                Tuple.of(3, Arbitraries.integers().between(0x80, 0xD7FF)),
                Tuple.of(1, Arbitraries.integers().between(0xE000, 0xFFFF)),
                Tuple.of(3, Arbitraries.integers().between(0x10000, 0x10FFFF)));
        return codePoint.list().ofMaxSize(12)
                .map(points -> points.stream().collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                        .toString());
    }

    /** RFC 8259 number text: integers far past a long, fractions with trailing zeros, exponents. */
    private static Arbitrary<String> numbers() {
        Arbitrary<String> digits = Arbitraries.strings().withCharRange('0', '9').ofMinLength(1).ofMaxLength(40);
        Arbitrary<String> integer = Arbitraries.oneOf(Arbitraries.just("0"),
                Combinators.combine(Arbitraries.integers().between(1, 9), digits.injectNull(0.5))
                        .as((first, rest) -> first + (rest == null ? "" : rest)));
        Arbitrary<String> fraction = digits.map(d -> "." + d).injectNull(0.5);
        Arbitrary<String> exponent = Combinators.combine(Arbitraries.of("e", "E"), Arbitraries.of("", "+", "-"),
                Arbitraries.integers().between(0, 400)).as((e, sign, n) -> e + sign + n).injectNull(0.6);
        return Combinators.combine(Arbitraries.of("", "-"), integer, fraction, exponent)
                .as((sign, i, f, e) -> sign + i + (f == null ? "" : f) + (e == null ? "" : e));
    }

    /** A JSON string of {@code value}, each character raw or escaped at random; controls always escaped. */
    private static String string(String value, Random random) {
        StringBuilder out = new StringBuilder("\"");
        value.codePoints().forEach(point -> {
            int shortEscape = point < 0x80 ? SHORT_ESCAPES.indexOf(point) : -1;
            if (shortEscape >= 0 && (point == '"' || point == '\\' || random.nextBoolean())) {
                out.append('\\').append(SHORT_ESCAPE_LETTERS.charAt(shortEscape));
            } else if (point < 0x20 || random.nextInt(5) == 0) {
                for (char unit : Character.toChars(point)) {
                    String hex = String.format("%04x", (int) unit);
                    out.append("\\u").append(random.nextBoolean() ? hex : hex.toUpperCase());
                }
            } else {
                out.appendCodePoint(point);
            }
        });
        return out.append('"').toString();
    }

    @Override
    public String toString() {
        return spaced.codePoints().mapToObj(p -> p < 0x20 || p > 0x7E ? String.format("\\u{%x}", p) : Character.toString(p))
                .collect(Collectors.joining());
    }
}

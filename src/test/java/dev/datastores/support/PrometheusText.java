package dev.datastores.support;

import static io.restassured.RestAssured.given;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One scrape of {@code /q/metrics} in Prometheus' text format, read series by series. */
public final class PrometheusText {

    private static final Pattern SERIES = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{((?:[^\"}]|\"(?:[^\"\\\\]|\\\\.)*\")*)})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final String text;

    private PrometheusText(String text) {
        this.text = text;
    }

    public static PrometheusText scrape() {
        return new PrometheusText(given().accept("text/plain").get("/q/metrics").then().statusCode(200).extract().asString());
    }

    public String text() {
        return text;
    }

    /** The sum of the series of {@code name} whose labels include {@code labels} (name, value, …); 0 when there are none. */
    public double value(String name, String... labels) {
        Map<String, String> wanted = new HashMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            wanted.put(labels[i], labels[i + 1]);
        }
        double sum = 0;
        Matcher series = SERIES.matcher(text);
        while (series.find()) {
            if (!series.group(1).equals(name)) {
                continue;
            }
            Map<String, String> found = new HashMap<>();
            if (series.group(3) != null) {
                Matcher label = LABEL.matcher(series.group(3));
                while (label.find()) {
                    found.put(label.group(1), label.group(2));
                }
            }
            if (found.entrySet().containsAll(wanted.entrySet())) {
                sum += Double.parseDouble(series.group(4));
            }
        }
        return sum;
    }

    /** Every value the label takes in the series of {@code name}. */
    public Set<String> labelValues(String name, String label) {
        Set<String> values = new TreeSet<>();
        Matcher series = SERIES.matcher(text);
        while (series.find()) {
            if (series.group(1).equals(name) && series.group(3) != null) {
                Matcher found = LABEL.matcher(series.group(3));
                while (found.find()) {
                    if (found.group(1).equals(label)) {
                        values.add(found.group(2));
                    }
                }
            }
        }
        return values;
    }

    /** Whether any series of {@code name} is exported. */
    public boolean has(String name) {
        return Pattern.compile("(?m)^" + Pattern.quote(name) + "[{ ]").matcher(text).find();
    }
}

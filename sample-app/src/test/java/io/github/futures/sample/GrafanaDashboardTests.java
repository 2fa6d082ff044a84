package io.github.futures.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * The Grafana dashboard shipped in {@code dashboards/futures.json} queries only metric names that the app's
 * {@code /actuator/prometheus} really exports: a renamed meter cannot silently blank a panel.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureMetrics
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GrafanaDashboardTests {

    private static final Path DASHBOARD = Path.of("dashboards", "futures.json");

    /** PromQL words that look like metric names: functions, aggregations, keywords. */
    private static final Set<String> PROMQL_WORDS = Set.of(
            "sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values",
            "group", "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool",
            "offset", "rate", "irate", "increase", "delta", "idelta", "deriv", "histogram_quantile", "sum_over_time",
            "avg_over_time", "max_over_time", "min_over_time", "count_over_time", "last_over_time", "abs", "ceil",
            "floor", "round", "clamp_min", "clamp_max", "clamp", "label_replace", "label_join", "vector", "scalar",
            "time", "timestamp", "absent", "changes", "resets", "sort", "sort_desc", "inf", "nan", "le");

    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    /** Every metric name in every query of the Grafana dashboard appears in /actuator/prometheus. */
    @Test
    void everyMetricTheGrafanaDashboardQueriesIsExported() throws Exception {
        assertThat(DASHBOARD).as("the Grafana dashboard file").isRegularFile();
        List<String> queries = new ArrayList<>();
        collectQueries(Http.parse(Files.readString(DASHBOARD)), queries);
        assertThat(queries).as("PromQL queries in " + DASHBOARD).isNotEmpty();
        Set<String> names = new LinkedHashSet<>();
        for (String query : queries) {
            names.addAll(metricNames(query));
        }
        assertThat(names).as("metric names queried").isNotEmpty();

        Http http = new Http(port);
        // One successful call on each pool, so that every meter has a sample.
        assertThat(http.post("/api/sleep?seconds=0").status()).isEqualTo(200);
        assertThat(http.get("/api/primes?count=2&chunksize=1").status()).isEqualTo(200);
        String prometheus = new Http(managementPort).get("/actuator/prometheus").body();
        Set<String> exported = new LinkedHashSet<>();
        for (String line : prometheus.split("\n")) {
            if (!line.isEmpty() && !line.startsWith("#")) {
                Matcher m = IDENTIFIER.matcher(line);
                if (m.lookingAt()) {
                    exported.add(m.group());
                }
            }
        }
        assertThat(exported).as("names exported by /actuator/prometheus").containsAll(names);
    }

    /** The query parser keeps metric names and drops functions, labels, groupings, ranges and variables. */
    @Test
    void metricNamesAreTheIdentifiersOfAQuery() {
        assertThat(metricNames("histogram_quantile(0.99, sum by (le, name) (rate("
                + "futures_executor_execution_seconds_bucket{name=~\"$pool\", kind=\"process\"}[$__rate_interval])))"))
                .containsExactly("futures_executor_execution_seconds_bucket");
        assertThat(metricNames("sum(executor_queued{name=\"${pool}\"}) / on(name) group_left executor_pool_max * 100"))
                .containsExactly("executor_queued", "executor_pool_max");
        assertThat(metricNames("label_values(futures_executor_workers, name)")).containsExactly("futures_executor_workers");
    }

    /** A panel's PromQL is in {@code targets[].expr}; templating variables may query too. */
    private static void collectQueries(JsonNode node, List<String> queries) {
        if (node.isObject()) {
            JsonNode expr = node.get("expr");
            if (expr != null && expr.isString() && !expr.asString().isBlank()) {
                queries.add(expr.asString());
            }
            JsonNode query = node.get("query");
            if (query != null && query.isString() && query.asString().contains("label_values(")) {
                queries.add(query.asString());
            }
            node.values().forEach(child -> collectQueries(child, queries));
        } else if (node.isArray()) {
            node.forEach(child -> collectQueries(child, queries));
        }
    }

    /** The metric names in one query: identifiers left once label matchers, groupings and ranges are removed. */
    static Set<String> metricNames(String query) {
        String q = query
                .replaceAll("\\{[^}]*}", " ")                                       // label matchers
                .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("\\[[^]]*]", " ")                                      // ranges and subqueries
                .replaceAll("\"[^\"]*\"", " ")                                      // strings
                .replaceAll("\\$\\{?\\w+}?", " ")                                   // Grafana variables
                .replaceAll("\\b\\d+(\\.\\d+)?(e[+-]?\\d+)?\\b", " ");              // numbers
        q = q.replaceAll("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,[^)]*\\)", " $1 ");
        Set<String> names = new LinkedHashSet<>();
        Matcher m = IDENTIFIER.matcher(q);
        while (m.find()) {
            String word = m.group();
            if (!PROMQL_WORDS.contains(word.toLowerCase())) {
                names.add(word);
            }
        }
        return names;
    }
}

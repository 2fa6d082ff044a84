package io.github.futures.autoconfigure.actuate;

import static io.github.futures.autoconfigure.actuate.FuturesEndpointWeb.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.Future;
import io.github.futures.ThreadPoolExecutor;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * The endpoint, health and Prometheus output over HTTP, in one web application shared by the tests
 * (which only read it).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FuturesActuatorWebTests {

    private static ConfigurableApplicationContext context;

    private final FuturesEndpointWeb web = new FuturesEndpointWeb();

    @BeforeAll
    static void start() {
        context = FuturesEndpointWeb.run(WebApplication.class,
                "management.endpoints.web.exposure.include=futures,health,prometheus",
                "management.endpoint.health.show-details=always",
                // the dashboard's latency panels read the histogram buckets, which are opt-in
                "management.metrics.distribution.percentiles-histogram.futures.executor=true",
                "futures.thread.max-workers=4", "futures.executors.io.kind=thread",
                "futures.executors.io.max-workers=2", "futures.process.max-workers=1",
                "futures.process.jvm-args=-Xmx64m,-Dapp.db.password=hunter2");
        ThreadPoolExecutor pool = context.getBean(ThreadPoolExecutor.class);
        Future<Integer> ok = pool.submit(() -> 1);
        Future<Integer> failed = pool.submit(() -> {
            throw new IllegalStateException("fails");
        });
        ok.result(WAIT);
        failed.exception(WAIT);
    }

    @AfterAll
    static void stop() {
        if (context != null) {
            context.close();
        }
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return this.web.response(context, path);
    }

    @Test
    void endpointListsEveryExecutorByBeanName() throws Exception {
        HttpResponse<String> response = get("/actuator/futures");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode executors = this.web.json(response).get("executors");
        assertThat(executors.propertyNames()).containsExactlyInAnyOrder("futuresThreadPool", "futuresProcessPool", "io");
        JsonNode pool = executors.get("futuresThreadPool");
        assertExecutorShape(pool);
        assertThat(pool.get("name").asString()).isEqualTo("futuresThreadPool");
        assertThat(pool.get("kind").asString()).isEqualTo("thread");
        assertThat(pool.get("state").asString()).isEqualTo("running");
        assertThat(pool.get("maxWorkers").asInt()).isEqualTo(4);
        assertThat(pool.get("submitted").asLong()).isEqualTo(2);
        assertThat(pool.get("completed").get("success").asLong()).isEqualTo(1);
        assertThat(pool.get("completed").get("failure").asLong()).isEqualTo(1);
        assertThat(pool.get("completed").get("cancelled").asLong()).isZero();
        assertThat(pool.get("config").get("threadNamePrefix").asString()).isEqualTo("futures-thread");
        assertThat(executors.get("io").get("maxWorkers").asInt()).isEqualTo(2);
        JsonNode processes = executors.get("futuresProcessPool");
        assertExecutorShape(processes);
        assertThat(processes.get("kind").asString()).isEqualTo("process");
        // validate-on-startup started one worker at refresh; the rest start lazily
        assertThat(processes.get("workers").size()).isEqualTo(1);
        assertThat(processes.get("liveWorkers").asInt()).isEqualTo(1);
        // the secret-looking system property is masked, the rest is shown
        assertThat(processes.get("config").get("jvmOptions").toString()).contains("-Dapp.db.password=******", "-Xmx64m");
        assertThat(response.body()).doesNotContain("hunter2");
    }

    @Test
    void endpointShowsOneExecutorByName() throws Exception {
        HttpResponse<String> response = get("/actuator/futures/io");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode io = this.web.json(response);
        assertExecutorShape(io);
        assertThat(io.get("name").asString()).isEqualTo("io");
        assertThat(io.get("config").get("threadNamePrefix").asString()).isEqualTo("io");
    }

    @Test
    void endpointAnswers404ForAnUnknownName() throws Exception {
        assertThat(get("/actuator/futures/nope").statusCode()).isEqualTo(404);
    }

    @Test
    void healthHasTheFuturesContributor() throws Exception {
        HttpResponse<String> response = get("/actuator/health");
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode futures = this.web.json(response).get("components").get("futures");
        assertThat(futures.get("status").asString()).isEqualTo("UP");
        assertThat(futures.get("details").get("futuresThreadPool").get("state").asString()).isEqualTo("running");
        assertThat(futures.get("details").get("io").get("kind").asString()).isEqualTo("thread");
        assertThat(futures.get("details").get("futuresProcessPool").get("state").asString()).isEqualTo("running");
    }

    @Test
    void prometheusHasEveryMetricTheDashboardQueries() throws Exception {
        HttpResponse<String> response = get("/actuator/prometheus");
        assertThat(response.statusCode()).isEqualTo(200);
        String scrape = response.body();
        Set<String> queried = dashboardMetricNames();
        assertThat(queried).contains("futures_executor_workers", "futures_executor_broken",
                "futures_executor_futures", "futures_executor_futures_completed_total",
                "futures_executor_queue_wait_seconds_bucket", "futures_executor_execution_seconds_bucket");
        for (String metric : queried) {
            assertThat(Pattern.compile("(?m)^" + Pattern.quote(metric) + "[{ ]").matcher(scrape).find())
                    .as("%s in /actuator/prometheus", metric).isTrue();
        }
        assertThat(scrape).contains("futures_executor_futures_completed_total{kind=\"thread\",name=\"futuresThreadPool\",outcome=\"failure\"} 1.0");
    }

    /** The metric names in the expressions of the Grafana dashboard shipped with the sample app. */
    static Set<String> dashboardMetricNames() throws IOException {
        String dashboard = Files.readString(Path.of("..", "sample-app", "dashboards", "futures.json"));
        Set<String> names = new TreeSet<>();
        Matcher expr = Pattern.compile("\"(?:expr|query|definition)\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(dashboard);
        while (expr.find()) {
            Matcher metric = Pattern.compile("\\b((?:futures|executor)_[a-z_]+)\\b").matcher(expr.group(1));
            while (metric.find()) {
                names.add(metric.group(1));
            }
        }
        return names;
    }

    private static void assertExecutorShape(JsonNode executor) {
        for (String field : new String[] { "name", "kind", "state", "maxWorkers", "workers", "pending", "running",
                "submitted", "completed", "config", "liveWorkers" }) {
            assertThat(executor.has(field)).as("field %s in %s", field, executor).isTrue();
        }
        assertThat(executor.get("workers").isArray()).isTrue();
        assertThat(executor.get("workers").size()).isEqualTo(executor.get("liveWorkers").asInt());
        assertThat(executor.get("completed").propertyNames()).containsExactlyInAnyOrder("success", "failure", "cancelled");
    }

    @SpringBootConfiguration(proxyBeanMethods = false)
    @EnableAutoConfiguration
    static class WebApplication {
    }
}

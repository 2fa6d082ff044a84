package io.github.futures.sample;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.HazelcastInstance;
import io.github.futures.ThreadPoolExecutor;
import io.github.futures.hazelcast.ClusterExecutor;
import io.github.futures.sample.JobService.Job;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.micrometer.metrics.test.autoconfigure.AutoConfigureMetrics;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * Every endpoint of the sample app over real HTTP, against the starter's real pools (the process pool runs
 * its calls in worker JVMs).
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureMetrics
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SampleApplicationTests {

    private static final long SEED_START = 1_000_000_000_000L;

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @Autowired
    ThreadPoolExecutor threadPool;

    @Autowired
    JobService jobService;

    @Autowired
    PoolHistory poolHistory;

    @Autowired
    ApplicationContext context;

    Http http;

    /** The actuator, on the management server's own port. */
    Http management;

    @BeforeEach
    void client() {
        http = new Http(port);
        management = new Http(managementPort);
    }

    /** The prefix of the starter's thread-pool threads, from a thread of that very pool. */
    private String poolThreadPrefix() {
        String name = threadPool.submit(() -> Thread.currentThread().getName()).result();
        return name.substring(0, name.lastIndexOf('_') + 1);
    }

    private static List<Long> primesBetween(long start, int count) {
        return LongStream.range(start, start + count).filter(Primes::isPrime).boxed().toList();
    }

    /** POST /api/sleep runs the seed's long_running_task on the application's pool, results in completion order. */
    @Test
    void sleepRunsOnTheThreadPoolAndAnswersInCompletionOrder() {
        Http.Response response = http.post("/api/sleep?seconds=4,2,3");

        assertThat(response.status()).isEqualTo(200);
        JsonNode body = response.json();
        assertThat(body.get("submitted").toString()).isEqualTo("[4,2,3]");
        List<Integer> order = new ArrayList<>();
        String prefix = poolThreadPrefix();
        for (JsonNode task : body.get("completed")) {
            order.add(task.get("result").asInt());
            assertThat(task.get("thread").asString()).startsWith(prefix);
        }
        assertThat(order).containsExactly(2, 3, 4);
        long second = body.get("secondMillis").asLong();
        assertThat(body.get("elapsedMillis").asLong()).isGreaterThanOrEqualTo(4 * second);
    }

    /** Bad input to POST /api/sleep is a 400 that says what was wrong. */
    @Test
    void sleepRejectsOutOfRangeSeconds() {
        Http.Response response = http.post("/api/sleep?seconds=2,99");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("message").asString()).contains("between 0 and 10").contains("99");
    }

    /** GET /api/primes maps is_prime over the seed's numbers on the process pool, answers in order. */
    @Test
    void primesMapsTheSeedNumbersOnTheProcessPoolInOrder() {
        Http.Response response = http.get("/api/primes?start=1000000000000&count=200&chunksize=20");

        assertThat(response.status()).isEqualTo(200);
        JsonNode body = response.json();
        assertThat(body.get("chunksize").asInt()).isEqualTo(20);
        JsonNode results = body.get("results");
        assertThat(results.size()).isEqualTo(200);
        for (int i = 0; i < 200; i++) {
            long n = SEED_START + i;
            assertThat(results.get(i).get("n").asLong()).isEqualTo(n);
            assertThat(results.get(i).get("prime").asBoolean()).as("%d is prime", n).isEqualTo(Primes.isPrime(n));
        }
        List<Long> primes = new ArrayList<>();
        body.get("primes").forEach(p -> primes.add(p.asLong()));
        assertThat(primes).isEqualTo(primesBetween(SEED_START, 200)).isNotEmpty();
    }

    /** A chunksize below 1 is a 400 naming the parameter. */
    @Test
    void primesRejectsChunksizeZero() {
        Http.Response response = http.get("/api/primes?chunksize=0");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("message").asString()).contains("chunksize");
    }

    /** GET /api/async runs the @Async service on the starter's thread pool, in the trace of the request. */
    @Test
    void asyncServiceRunsOnTheFuturesThreadPool() {
        Http.Response response = http.get("/api/async?name=test");

        assertThat(response.status()).isEqualTo(200);
        JsonNode body = response.json();
        assertThat(body.get("message").asString()).isEqualTo("Hello, test!");
        assertThat(body.get("thread").asString()).startsWith(poolThreadPrefix());
        assertThat(body.get("traceId").asString()).matches("[0-9a-f]{32}");
    }

    /** The prime example's worker JVM logs a line during the request's call, forwarded with the request's trace id. */
    @Test
    void workerLogLineShowsTheRequestsTraceId() throws Exception {
        String traceId = "0af7651916cd43dd8448eb211c80319c";
        String line = "checking 3 numbers from 1000000000017";
        java.io.PrintStream err = System.err;
        java.util.concurrent.CountDownLatch seen = new java.util.concurrent.CountDownLatch(1);
        java.util.List<String> matching = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.io.PrintStream watching = new java.io.PrintStream(err, true) {
            @Override
            public void println(String x) {
                if (x != null && x.contains(line)) {
                    matching.add(x);
                    seen.countDown();
                }
                super.println(x);
            }
        };
        System.setErr(watching);
        try {
            Http.Response response = http.get("/api/primes?start=1000000000017&count=3&chunksize=1",
                    "traceparent", "00-" + traceId + "-b7ad6b7169203331-01");
            assertThat(response.status()).isEqualTo(200);
            assertThat(seen.await(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            System.setErr(err);
        }
        assertThat(matching).anySatisfy(l -> assertThat(l).matches("\\[futuresProcessPool worker \\d+ trace=" + traceId + "\\] .*"));
    }

    /** A request that arrives with a W3C traceparent: the @Async method runs under that trace id. */
    @Test
    void asyncServiceRunsUnderTheCallersTraceId() {
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        Http.Response response = http.get("/api/async?name=traced",
                "traceparent", "00-" + traceId + "-00f067aa0ba902b7-01");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.json().get("traceId").asString()).isEqualTo(traceId);
    }

    /** A job checks every number on the process pool and reports done/total/failed. */
    @Test
    void jobRunsToTheEndAndCountsItsResults() throws Exception {
        Http.Response created = http.post("/api/jobs?start=1000000000000&count=300");

        assertThat(created.status()).isEqualTo(201);
        String id = created.json().get("id").asString();
        assertThat(created.raw().headers().firstValue("Location")).hasValue("/api/jobs/" + id);
        assertThat(created.json().get("total").asInt()).isEqualTo(300);

        Job job = jobService.find(id).orElseThrow();
        job.finished().get(45, TimeUnit.SECONDS);

        JsonNode view = http.get("/api/jobs/" + id).json();
        assertThat(view.get("state").asString()).isEqualTo("done");
        assertThat(view.get("done").asInt()).isEqualTo(300);
        assertThat(view.get("failed").asInt()).isZero();
        assertThat(view.get("cancelled").asInt()).isZero();
        assertThat(view.get("progress").asDouble()).isEqualTo(1.0);
        assertThat(view.get("primes").asInt()).isEqualTo(primesBetween(SEED_START, 300).size());

        JsonNode afterDelete = http.delete("/api/jobs/" + id).json();
        assertThat(afterDelete.get("state").asString()).as("cancelling a finished job changes nothing").isEqualTo("done");
        assertThat(afterDelete.get("cancelled").asInt()).isZero();

        JsonNode all = http.get("/api/jobs").json();
        List<String> ids = new ArrayList<>();
        all.forEach(j -> ids.add(j.get("id").asString()));
        assertThat(ids).contains(id);
    }

    /** DELETE /api/jobs/{id} cancels the checks that have not started; the job ends as cancelled. */
    @Test
    void deletingAJobCancelsItsPendingChecks() throws Exception {
        // 2 000 numbers around 10^16: seconds of work, so that most checks are still pending at the DELETE.
        String id = http.post("/api/jobs?count=2000").json().get("id").asString();

        Http.Response cancelled = http.delete("/api/jobs/" + id);

        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(cancelled.json().get("cancelled").asInt()).isPositive();
        jobService.find(id).orElseThrow().finished().get(45, TimeUnit.SECONDS);
        JsonNode view = http.get("/api/jobs/" + id).json();
        assertThat(view.get("state").asString()).isEqualTo("cancelled");
        assertThat(view.get("cancelled").asInt()).isGreaterThan(1000);
        assertThat(view.get("done").asInt() + view.get("cancelled").asInt()).isEqualTo(2000);
        assertThat(view.get("failed").asInt()).isZero();
    }

    /** Unknown jobs are 404 with a JSON message naming the job, for reading and for cancelling. */
    @Test
    void unknownJobIsNotFound() {
        for (Http.Response response : List.of(http.get("/api/jobs/no-such-job"), http.delete("/api/jobs/no-such-job"))) {
            assertThat(response.status()).isEqualTo(404);
            assertThat(response.json().get("error").asString()).isEqualTo("Not Found");
            assertThat(response.json().get("message").asString()).contains("no job 'no-such-job'");
        }
    }

    /** A job of 0 numbers is a 400 that says the allowed range. */
    @Test
    void jobRejectsCountZero() {
        Http.Response response = http.post("/api/jobs?count=0");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("message").asString()).contains("count must be between 1 and");
    }

    /** /actuator/futures shows both starter pools with the fields the dashboard reads. */
    @Test
    void futuresEndpointShowsBothPools() {
        http.post("/api/sleep?seconds=0");

        Http.Response response = management.get("/actuator/futures");

        assertThat(response.status()).isEqualTo(200);
        JsonNode executors = response.json().get("executors");
        JsonNode thread = executors.get("futuresThreadPool");
        JsonNode process = executors.get("futuresProcessPool");
        assertThat(thread.get("kind").asString()).isEqualTo("thread");
        assertThat(process.get("kind").asString()).isEqualTo("process");
        for (JsonNode pool : List.of(thread, process)) {
            assertThat(pool.get("state").asString()).isEqualTo("running");
            for (String field : List.of("name", "maxWorkers", "workers", "pending", "running", "submitted", "config")) {
                assertThat(pool.has(field)).as(field).isTrue();
            }
            for (String outcome : List.of("success", "failure", "cancelled")) {
                assertThat(pool.get("completed").has(outcome)).as(outcome).isTrue();
            }
        }
        assertThat(thread.get("submitted").asLong()).isPositive();
        assertThat(thread.get("completed").get("success").asLong()).isPositive();
    }

    /** /actuator/health is UP and includes the pools' contributor. */
    @Test
    void healthIsUpWithTheFuturesContributor() {
        Http.Response response = management.get("/actuator/health");

        assertThat(response.status()).isEqualTo(200);
        JsonNode body = response.json();
        assertThat(body.get("status").asString()).isEqualTo("UP");
        assertThat(body.get("components").get("futures").get("status").asString()).isEqualTo("UP");
    }

    /** /actuator/prometheus exports the pools' meters, tagged with the bean names. */
    @Test
    void prometheusExportsThePoolMeters() {
        http.post("/api/sleep?seconds=0");

        Http.Response response = management.get("/actuator/prometheus");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body())
                .contains("executor_active")
                .contains("futures_executor_futures_completed_total")
                .contains("name=\"futuresThreadPool\"")
                .contains("name=\"futuresProcessPool\"")
                .containsPattern("futures_executor_submitted_total\\{[^}]*name=\"futuresThreadPool\"[^}]*\\} [1-9]");
    }

    /** /actuator/info and /actuator/metrics are exposed. */
    @Test
    void infoAndMetricsAreExposed() {
        Http.Response info = management.get("/actuator/info");
        Http.Response metrics = management.get("/actuator/metrics");

        assertThat(info.status()).isEqualTo(200);
        assertThat(info.json().get("app").get("name").asString()).isEqualTo("futures sample app");
        assertThat(metrics.status()).isEqualTo(200);
        List<String> names = new ArrayList<>();
        metrics.json().get("names").forEach(n -> names.add(n.asString()));
        assertThat(names).contains("executor.active", "futures.executor.submitted");
    }

    /** The dashboard is served at / with its script and the vendored charting library. */
    @Test
    void dashboardIsServed() {
        Http.Response page = http.get("/");
        Http.Response script = http.get("/dashboard.js");
        Http.Response chart = http.get("/vendor/chart.umd.min.js");

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("<title>futures · live dashboard</title>").contains("id=\"start-job\"");
        assertThat(script.status()).isEqualTo(200);
        assertThat(script.body()).contains("api/dashboard/pools");
        assertThat(chart.status()).isEqualTo(200);
        assertThat(chart.body()).startsWith("/*!\n * Chart.js v4").contains("Released under the MIT License");
    }

    /** The actuator is on the management port only; the dashboard reads the futures endpoint's data on the app port. */
    @Test
    void actuatorIsOnTheManagementPortAndTheDashboardReadsItsDataOnTheAppPort() {
        assertThat(managementPort).isNotEqualTo(port);
        assertThat(http.get("/actuator/health").status()).as("no actuator on the application's port").isEqualTo(404);

        JsonNode pools = http.get("/api/dashboard/pools").json().get("executors");
        assertThat(pools.get("futuresProcessPool").get("kind").asString()).isEqualTo("process");
        assertThat(pools.get(JobService.POOL).get("kind").asString()).isEqualTo("process");
        assertThat(http.get("/api/dashboard/actuator").json().get("actuator").asString())
                .isEqualTo("http://localhost:" + managementPort + "/actuator");
    }

    /** The dashboard's history: samples of every pool taken in the app, and p50/p95 latencies from the pools' timers. */
    @Test
    void dashboardHistoryHasSamplesOfEveryPoolAndLatencyPercentiles() throws Exception {
        assertThat(http.get("/api/primes?count=20").status()).isEqualTo(200);
        poolHistory.sample();
        poolHistory.sample();

        JsonNode history = http.get("/api/dashboard/history").json();

        assertThat(history.get("periodMillis").asLong()).isEqualTo(1000);
        for (String pool : List.of("futuresThreadPool", "futuresProcessPool", JobService.POOL)) {
            JsonNode samples = history.get("pools").get(pool);
            assertThat(samples.size()).as(pool).isGreaterThanOrEqualTo(2);
            JsonNode last = samples.get(samples.size() - 1);
            for (String field : List.of("t", "running", "pending", "workers")) {
                assertThat(last.has(field)).as(field).isTrue();
            }
        }
        JsonNode execution = history.get("latency").get("futuresProcessPool").get("execution");
        assertThat(execution.get("count").asLong()).isPositive();
        assertThat(execution.get("p50").asDouble()).isPositive();
        assertThat(execution.get("p95").asDouble()).isGreaterThanOrEqualTo(execution.get("p50").asDouble());
        long newest = history.get("pools").get("futuresProcessPool").get(1).get("t").asLong();
        JsonNode newer = http.get("/api/dashboard/history?since=" + newest).json().get("pools").get("futuresProcessPool");
        newer.forEach(sample -> assertThat(sample.get("t").asLong()).isGreaterThan(newest));
    }

    /** Without the futuresevents endpoint, the dashboard's events source is a 404 with a JSON message saying so. */
    @Test
    void dashboardEventsWithoutTheEventsEndpointIsANotFoundThatSaysSo() {
        boolean exposed = management.get("/actuator/futuresevents").status() == 200;

        Http.Response events = http.get("/api/dashboard/events");

        if (exposed) {
            assertThat(events.status()).isEqualTo(200);
            assertThat(events.json().get("events").isArray()).isTrue();
        } else {
            assertThat(events.status()).isEqualTo(404);
            assertThat(events.json().get("message").asString()).startsWith("no futuresevents endpoint");
        }
    }

    /** Without futures.cluster.enabled the app is a single node: no Hazelcast, and the cluster example says so. */
    @Test
    void clusterExampleSaysTheClusterIsOffByDefault() {
        assertThat(context.getBeanNamesForType(ClusterExecutor.class)).isEmpty();
        assertThat(context.getBeanNamesForType(HazelcastInstance.class)).isEmpty();

        Http.Response response = http.get("/api/cluster/primes?count=10");

        assertThat(response.status()).isEqualTo(409);
        assertThat(response.json().get("message").asString())
                .contains("cluster pool is off").contains("--futures.cluster.enabled=true");
        assertThat(management.get("/actuator/futures").json().get("executors").has("futuresClusterPool")).isFalse();
    }
}

package io.github.futures.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.futures.ProcessPoolExecutor;
import io.github.futures.ThreadPoolExecutor;
import io.github.futures.spi.ExecutorSnapshot;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import tools.jackson.databind.JsonNode;

/**
 * The limits the sample app puts on its requests and jobs, over real HTTP: a request past
 * {@code sample.request-timeout} is a 504 and its calls are cancelled, also when the client went away; more
 * jobs than {@code sample.max-jobs} are a 429; a job its pool refuses is an error, never a 201.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = {"sample.request-timeout=3s", "sample.max-jobs=2", "sample.second=1s"})
@DirtiesContext // the last test breaks the jobs' pool
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RequestLimitsTests {

    /** About 270 primes at ~0.1 s each, one call per number: far more than 3 s of work for two workers. */
    private static final String LONG_PRIMES = "/api/primes?start=10000000000000000&count=10000&chunksize=1";

    /** A job of 2 000 numbers around 10^16 on the one job worker: seconds of work. */
    private static final String LONG_JOB = "/api/jobs?count=2000";

    @LocalServerPort
    int port;

    @Autowired
    ProcessPoolExecutor processPool;

    @Autowired
    ThreadPoolExecutor threadPool;

    @Autowired
    @Qualifier(JobService.POOL)
    ProcessPoolExecutor jobsPool;

    @Autowired
    JobService jobService;

    Http http;

    @BeforeEach
    void client() {
        http = new Http(port);
    }

    /** Waits, bounded, for a condition on state the app changes in its own threads. */
    private static void await(String what, int seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + seconds + " s: " + what);
            }
            Thread.sleep(50); // a test watching another thread's progress; bounded by the deadline
        }
    }

    /** A map past the request timeout answers 504 with a JSON message, and the calls not started are cancelled. */
    @Test
    @Order(1)
    void primesPastTheRequestTimeoutAre504AndTheirCallsCancelled() throws Exception {
        long cancelledBefore = processPool.snapshot().cancelled();

        Http.Response response = http.get(LONG_PRIMES);

        assertThat(response.status()).as(response.body()).isEqualTo(504);
        assertThat(response.json().get("error").asString()).isEqualTo("Gateway Timeout");
        assertThat(response.json().get("message").asString()).contains("sample.request-timeout");
        await("the process pool has nothing pending", 20, () -> processPool.snapshot().pending() == 0);
        ExecutorSnapshot after = processPool.snapshot();
        assertThat(after.cancelled() - cancelledBefore).as("calls cancelled").isGreaterThan(1000);
    }

    /**
     * A client that gives up after one second: Tomcat notices a closed connection of an async request only when
     * it writes, so the request timeout (3 s here) is what cancels the calls; far fewer than the 10 000 ran.
     */
    @Test
    @Order(2)
    void aClientThatGivesUpHasItsCallsCancelledByTheRequestTimeout() throws Exception {
        ExecutorSnapshot before = processPool.snapshot();
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + LONG_PRIMES))
                .timeout(Duration.ofSeconds(1)).GET().build();
        long gaveUp = System.nanoTime();

        assertThatThrownBy(() -> client.send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);

        await("the abandoned request's calls are cancelled", 20, () -> processPool.snapshot().pending() == 0);
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - gaveUp);
        ExecutorSnapshot after = processPool.snapshot();
        assertThat(after.cancelled() - before.cancelled()).as("calls cancelled").isGreaterThan(1000);
        assertThat(after.succeeded() - before.succeeded()).as("calls that ran").isLessThan(9000);
        assertThat(seconds).as("seconds until nothing was pending").isLessThan(20);
    }

    /** The thread-pool example past the request timeout is a 504; its calls still waiting for a thread are cancelled. */
    @Test
    @Order(3)
    void sleepPastTheRequestTimeoutIs504AndItsWaitingCallsCancelled() throws Exception {
        long cancelledBefore = threadPool.snapshot().cancelled();
        // 16 calls of 4 s each, more than the pool's threads: some wait, and are cancelled at the 3 s timeout.
        String sixteen = String.join(",", java.util.Collections.nCopies(16, "4"));

        Http.Response response = http.post("/api/sleep?seconds=" + sixteen);

        assertThat(response.status()).as(response.body()).isEqualTo(504);
        assertThat(response.json().get("message").asString()).contains("sample.request-timeout");
        if (threadPool.maxWorkers() < 16) {
            assertThat(threadPool.snapshot().cancelled() - cancelledBefore).as("cancelled").isPositive();
        }
    }

    /** Beyond sample.max-jobs running jobs, POST /api/jobs is a 429 with Retry-After; a slot frees when a job ends. */
    @Test
    @Order(4)
    void moreJobsThanTheLimitAre429UntilOneEnds() throws Exception {
        String first = http.post(LONG_JOB).json().get("id").asString();
        String second = http.post(LONG_JOB).json().get("id").asString();

        Http.Response third = http.post(LONG_JOB);

        assertThat(third.status()).as(third.body()).isEqualTo(429);
        assertThat(third.raw().headers().firstValue("Retry-After")).hasValue("10");
        assertThat(third.json().get("message").asString()).contains("sample.max-jobs=2").contains("DELETE /api/jobs/");

        http.delete("/api/jobs/" + first);
        jobService.find(first).orElseThrow().finished().get(45, TimeUnit.SECONDS);
        Http.Response again = http.post("/api/jobs?start=1000000000000&count=10");
        assertThat(again.status()).as(again.body()).isEqualTo(201);

        http.delete("/api/jobs/" + second);
        jobService.find(second).orElseThrow().finished().get(45, TimeUnit.SECONDS);
        jobService.find(again.json().get("id").asString()).orElseThrow().finished().get(45, TimeUnit.SECONDS);
    }

    /** Jobs run on their own pool: the default process pool, which serves the requests, sees none of their calls. */
    @Test
    @Order(5)
    void jobsRunOnTheirOwnPool() throws Exception {
        long defaultSubmitted = processPool.snapshot().submitted();
        long jobsSubmitted = jobsPool.snapshot().submitted();

        String id = http.post("/api/jobs?start=1000000000000&count=50").json().get("id").asString();
        jobService.find(id).orElseThrow().finished().get(45, TimeUnit.SECONDS);

        assertThat(jobsPool.snapshot().submitted() - jobsSubmitted).isEqualTo(50);
        assertThat(processPool.snapshot().submitted()).isEqualTo(defaultSubmitted);
    }

    /** After the jobs' pool broke (its worker killed), POST /api/jobs is a 503 naming the pool, not a 201. */
    @Test
    @Order(6)
    void aJobOnABrokenPoolIsAnErrorNotCreated() throws Exception {
        String warm = http.post("/api/jobs?start=1000000000000&count=10").json().get("id").asString();
        jobService.find(warm).orElseThrow().finished().get(45, TimeUnit.SECONDS);
        List<Long> pids = jobsPool.snapshot().workerDetails().stream().map(w -> w.pid()).toList();
        assertThat(pids).isNotEmpty();
        pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
        await("the jobs' pool is broken", 30, () -> ExecutorSnapshot.BROKEN.equals(jobsPool.snapshot().state()));
        int known = jobService.all().size();

        Http.Response response = http.post("/api/jobs?start=1000000000000&count=10");

        assertThat(response.status()).as(response.body()).isEqualTo(503);
        assertThat(response.json().get("message").asString()).contains("the jobs' pool 'jobs' refused the job")
                .contains("Broken");
        assertThat(jobService.all()).as("no job kept for it").hasSize(known);
        // The sleep test's calls that were running when it timed out end on their own; then requests are served.
        await("the thread pool is idle", 30, () -> threadPool.snapshot().running() == 0);
        assertThat(http.get("/api/primes?count=5").status()).as("requests still served").isEqualTo(200);
    }
}

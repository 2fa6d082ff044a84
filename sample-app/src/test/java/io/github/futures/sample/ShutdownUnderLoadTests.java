package io.github.futures.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * SIGTERM to the sample app (a real child JVM, started from the built classes as a user starts it) with a
 * 100 000-call job queued and requests in flight: the job is cancelled first, every request in flight gets an
 * answer (its value, or an error: 503 cancelled, 504 past its timeout), the JVM exits within the configured
 * timeouts, and no worker JVM of any pool is left behind.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ShutdownUnderLoadTests {

    /** Requests in flight at the SIGTERM: about 55 primes each at ~0.1 s, more work than two workers do in 10 s. */
    private static final String REQUEST = "/api/primes?start=10000000000000000&count=2000&chunksize=10";

    private static final int REQUESTS = 8;

    /**
     * From SIGTERM to exit, at most: the graceful phase (spring.lifecycle.timeout-per-shutdown-phase, 15 s) plus
     * the pools' shutdown (futures.shutdown.timeout, 10 s, for a pool still busy) plus a margin for the JVM's
     * own exit on a loaded machine.
     */
    private static final long EXIT_BOUND_SECONDS = 15 + 10 + 10;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** SIGTERM with a job queued: every in-flight request answered, exit in time, no worker JVM left. */
    @Test
    void sigtermWithAJobQueuedAnswersEveryRequestInFlightAndLeavesNoWorker() throws Exception {
        int port = freePort();
        int managementPort = freePort();
        List<String> command = List.of(ChildJvm.java(), "-cp", System.getProperty("java.class.path"),
                SampleApplication.class.getName(), "--server.port=" + port, "--management.server.port=" + managementPort);
        try (ChildJvm app = new ChildJvm(command)) {
            app.awaitLine(line -> line.contains("futures sample app ready at"), 120);
            app.awaitLine(line -> line.contains("futures sample app actuator at"), 60);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            Http api = new Http(port);
            Http management = new Http(managementPort);
            Http.Response job = api.post("/api/jobs?count=100000");
            assertThat(job.status()).as(job.body()).isEqualTo(201);

            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                answers.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + REQUEST))
                        .timeout(Duration.ofSeconds(90)).GET().build(), HttpResponse.BodyHandlers.ofString()));
            }
            awaitInFlight(management);
            List<ProcessHandle> workers = app.process().descendants().toList();
            assertThat(workers).as("worker JVMs of the default and the jobs' pool").hasSizeGreaterThanOrEqualTo(2);
            assertThat(answers).noneMatch(CompletableFuture::isDone);

            long sigterm = System.nanoTime();
            app.process().toHandle().destroy(); // SIGTERM, as an orchestrator sends it

            List<Integer> statuses = new ArrayList<>();
            for (CompletableFuture<HttpResponse<String>> answer : answers) {
                HttpResponse<String> response = answer.get(60, TimeUnit.SECONDS); // an exception here: no answer
                assertThat(response.statusCode()).as(response.body()).isIn(200, 503, 504);
                if (response.statusCode() != 200) {
                    assertThat(Http.parse(response.body()).get("message").asString()).isNotBlank();
                }
                statuses.add(response.statusCode());
            }
            assertThat(app.awaitExit(EXIT_BOUND_SECONDS)).as("exit status after SIGTERM").isEqualTo(143);
            long exitSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - sigterm);
            System.out.printf("shutdown under load: answers %s, exit %d s after SIGTERM%n", statuses, exitSeconds);
            assertThat(exitSeconds).isLessThan(EXIT_BOUND_SECONDS);
            for (ProcessHandle worker : workers) {
                worker.onExit().get(10, TimeUnit.SECONDS);
                assertThat(worker.isAlive()).as("worker pid %d", worker.pid()).isFalse();
            }
            assertThat(app.lines()).anyMatch(line -> line.contains("Stopping: job #1 cancelled"));
        }
    }

    /** Waits until the requests are in the app: their map consumers running or queued on the thread pool. */
    private static void awaitInFlight(Http management) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            JsonNode executors = management.get("/actuator/futures").json().get("executors");
            JsonNode threads = executors.get("futuresThreadPool");
            if (threads.get("running").asLong() + threads.get("pending").asLong() >= REQUESTS
                    && executors.get("futuresProcessPool").get("running").asLong() > 0) {
                return;
            }
            Thread.sleep(50); // a test waiting for an outside process; bounded by the deadline and @Timeout
        }
        throw new AssertionError("the requests never reached the pools");
    }
}

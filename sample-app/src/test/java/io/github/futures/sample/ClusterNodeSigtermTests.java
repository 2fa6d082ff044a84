package io.github.futures.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

/**
 * A cluster node stopped with SIGTERM while it serves a request on the cluster pool: the request gets its
 * whole answer. The node is the sample app itself in a child JVM, a one-member cluster, so the calls run on
 * the member that is stopping; Hazelcast's own JVM hook would shut that member down at SIGTERM, before the
 * web server's graceful phase has let the request finish. Our lifecycle stops it after its calls.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class ClusterNodeSigtermTests {

    /** Around 10^16 a prime costs the naive check ~0.1 s: 2 000 numbers keep two cores busy for seconds. */
    private static final String REQUEST = "/api/cluster/primes?start=10000000000000000&count=2000&chunksize=10";

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** SIGTERM during a running cluster request: 200 with every answer, and the node then exits. */
    @Test
    void sigtermDuringAClusterRequestStillAnswersIt() throws Exception {
        int httpPort = freePort();
        int managementPort = freePort();
        int memberPort = freePort();
        List<String> command = List.of(ChildJvm.java(), "-Dhazelcast.phone.home.enabled=false",
                "-cp", System.getProperty("java.class.path"), SampleApplication.class.getName(),
                "--server.port=" + httpPort, "--management.server.port=" + managementPort, "--futures.cluster.enabled=true",
                "--futures.cluster.name=sigterm-" + UUID.randomUUID(), "--futures.cluster.port=" + memberPort,
                "--futures.cluster.members=127.0.0.1:" + memberPort, "--futures.shutdown.timeout=60s",
                "--spring.lifecycle.timeout-per-shutdown-phase=60s", "--logging.level.com.hazelcast=WARN");
        try (ChildJvm node = new ChildJvm(command)) {
            node.awaitLine(line -> line.contains("futures sample app ready at"), 90);
            node.awaitLine(line -> line.contains("futures sample app actuator at"), 60);
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            CompletableFuture<HttpResponse<String>> answer = http.sendAsync(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + REQUEST))
                            .timeout(Duration.ofSeconds(100)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            // Wait until the request's calls are running on the member, then SIGTERM the node (not
            // Process.destroy(), which also closes this side's pipes).
            awaitRunningClusterCalls(http, managementPort);
            assertThat(answer).isNotDone();
            node.process().toHandle().destroy();

            HttpResponse<String> response = answer.get(100, TimeUnit.SECONDS);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode body = Http.parse(response.body());
            assertThat(body.get("results").size()).isEqualTo(2000);
            assertThat(node.awaitExit(60)).as("exit status after SIGTERM").isEqualTo(143);
            assertThat(node.lines()).noneMatch(line -> line.contains("MemberLeftException"));
        }
    }

    /** Polls the actuator, on the management port, until the cluster pool runs calls. */
    private static void awaitRunningClusterCalls(HttpClient http, int port) throws Exception {
        HttpRequest pools = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/futures"))
                .timeout(Duration.ofSeconds(10)).GET().build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            JsonNode cluster = Http.parse(http.send(pools, HttpResponse.BodyHandlers.ofString()).body())
                    .get("executors").get("futuresClusterPool");
            if (cluster != null && cluster.get("running").asLong() > 0) {
                return;
            }
            Thread.sleep(50); // a test waiting for an outside process; bounded by the deadline and @Timeout
        }
        throw new AssertionError("the cluster pool never ran the request's calls");
    }
}

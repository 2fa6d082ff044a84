package io.github.futures.sample;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.hazelcast.ClusterExecutor;
import io.github.futures.spi.WorkerSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A member killed while it runs calls of a {@code GET /api/cluster/primes} request: the answer is a JSON error
 * naming that member, like the API's other errors, not a bare 500. The cluster is this test JVM (the app) and a
 * {@code ClusterNode} in a child JVM, which is killed.
 */
// The member's loss is what this test causes: Hazelcast's warnings about it are expected.
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = {"futures.cluster.enabled=true", "logging.level.com.hazelcast=ERROR"})
@DirtiesContext // the context holds a Hazelcast member: it leaves the cluster when this class is done
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterMemberLossTests {

    /** Around 10^16 a prime costs the naive check ~0.1 s: the child's two threads stay busy for seconds. */
    private static final String REQUEST = "/api/cluster/primes?start=10000000000000000&count=100&chunksize=1";

    private static final String CLUSTER = "sample-loss-" + UUID.randomUUID();
    private static ChildJvm node;
    private static int nodePort;

    @LocalServerPort
    int port;

    @Autowired
    ClusterExecutor clusterPool;

    /** Starts the member that will be lost first, so that the app's member joins it. */
    @DynamicPropertySource
    static void cluster(DynamicPropertyRegistry registry) throws Exception {
        nodePort = freePort();
        int appPort = freePort();
        List<String> command = new ArrayList<>(List.of(ChildJvm.java(), "--add-modules", "java.se",
                "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.management/sun.management=ALL-UNNAMED",
                "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED", "-Dhazelcast.phone.home.enabled=false",
                "-cp", System.getProperty("java.class.path"), "io.github.futures.hazelcast.ClusterNode",
                "--cluster-name=" + CLUSTER, "--port=" + nodePort, "--members=127.0.0.1:" + appPort, "--pool-size=2"));
        node = new ChildJvm(command);
        node.awaitLine(line -> line.startsWith("futures cluster node ") && line.contains(" is up "), 60);
        registry.add("futures.cluster.name", () -> CLUSTER);
        registry.add("futures.cluster.port", () -> appPort);
        registry.add("futures.cluster.members", () -> "127.0.0.1:" + nodePort);
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The lost member's calls make the request a 503 whose JSON message names the member by address and pid. */
    @Test
    void aMemberLostDuringARequestIsAJsonErrorNamingIt() throws Exception {
        assertThat(clusterPool.awaitMembers(2, Duration.ofSeconds(30))).isTrue();
        long nodePid = node.process().pid();
        Http http = new Http(port);
        CompletableFuture<Http.Response> answer = CompletableFuture.supplyAsync(() -> http.get(REQUEST));
        awaitBusy(nodePid);
        node.process().destroyForcibly();

        Http.Response response = answer.get(90, TimeUnit.SECONDS);
        assertThat(response.status()).as(response.body()).isEqualTo(503);
        assertThat(response.json().get("status").asInt()).isEqualTo(503);
        assertThat(response.json().get("error").asString()).isEqualTo("Service Unavailable");
        assertThat(response.json().get("message").asString())
                .startsWith("member 127.0.0.1:" + nodePort + " (pid " + nodePid + ") left the cluster");
    }

    /** Waits until the child's member runs calls of this executor. */
    private void awaitBusy(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            for (WorkerSnapshot member : clusterPool.snapshot().workerDetails()) {
                if (member.pid() == pid && member.busy()) {
                    return;
                }
            }
            Thread.sleep(20); // a test waiting for calls in another JVM; bounded by the deadline and @Timeout
        }
        throw new AssertionError("the child's member never ran the request's calls");
    }
}

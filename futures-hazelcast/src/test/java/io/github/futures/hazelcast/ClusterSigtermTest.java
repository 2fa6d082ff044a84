package io.github.futures.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.MemberLeftException;
import io.github.futures.Future;
import io.github.futures.SerializableCallable;
import io.github.futures.contract.Signal;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A real SIGTERM to a node JVM while it runs a call: the node ({@link SigtermNode}, a child JVM) and
 * this JVM's member form a cluster; this JVM's executor sends a call to the node's member only; the
 * call starts (it fires a signal), runs {@value #CALL_MILLIS} ms, and returns 42. The node gets
 * SIGTERM ({@link ProcessHandle#destroy()}) as soon as the call has started.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterSigtermTest {

    /** How long the call runs after it started: long enough to be cut short by an early shutdown. */
    static final long CALL_MILLIS = 2_000;

    /** The node must be gone this long after SIGTERM at most. */
    private static final Duration EXIT_BOUND = Duration.ofSeconds(40);

    /** Fires, runs {@link #CALL_MILLIS} ms, returns 42. */
    record SlowAnswer(Signal started) implements SerializableCallable<Integer> {
        @Override
        public Integer call() throws InterruptedException {
            started.fire();
            Thread.sleep(CALL_MILLIS);
            return 42;
        }
    }

    /** What a test checks once the node got SIGTERM while {@code call} ran, {@code t0} the time of the signal. */
    @FunctionalInterface
    private interface AfterSigterm {
        void check(Node node, Future<Integer> call, long t0) throws Exception;
    }

    /**
     * Starts a node in {@code mode} with an executor sending to its member only, submits a {@link SlowAnswer},
     * sends SIGTERM to the node once the call has started, and hands over to {@code after}.
     */
    private static void sigtermWhileACallRuns(String mode, AfterSigterm after) throws Exception {
        try (Node node = Node.start(mode); Signal started = Signal.create();
             ClusterExecutor executor = node.executorOnNode()) {
            Future<Integer> f = executor.submit(new SlowAnswer(started));
            started.awaitCount(1);
            long t0 = System.nanoTime();
            node.sigterm();
            after.check(node, f, t0);
        }
    }

    /**
     * SIGTERM to a node whose member a ClusterExecutor owns: the running call's value reaches the
     * caller, and the node then exits (after its member left) within the bound.
     */
    @Test
    void sigtermLetsTheRunningCallFinishAndTheNodeExit() throws Exception {
        sigtermWhileACallRuns("executor", (node, f, t0) -> {
            node.exiting.get(30, TimeUnit.SECONDS); // the node's JVM runs its shutdown hooks now

            assertThat(f.exception(Duration.ofSeconds(30))).as("the call's outcome").isNull();
            assertThat(f.result()).isEqualTo(42);
            long valueMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(node.process.waitFor(EXIT_BOUND.toMillis(), TimeUnit.MILLISECONDS)).as("node exited").isTrue();
            long exitMs = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("SIGTERM with a call running: value after " + valueMs + " ms, node exited after " + exitMs
                    + " ms with status " + node.process.exitValue());
            assertThat(node.process.exitValue()).isEqualTo(143); // 128 + SIGTERM: it ended by the signal, hooks run
        });
    }

    /** SIGTERM to a plain {@code ClusterNode} ({@code ClusterNode.main}): the running call's value reaches the caller. */
    @Test
    void sigtermToAClusterNodeLetsTheRunningCallFinish() throws Exception {
        sigtermWhileACallRuns("node", (node, f, t0) -> {
            assertThat(f.exception(Duration.ofSeconds(30))).as("the call's outcome").isNull();
            assertThat(f.result()).isEqualTo(42);
            assertThat(node.process.waitFor(EXIT_BOUND.toMillis(), TimeUnit.MILLISECONDS)).as("node exited").isTrue();
            System.out.println("SIGTERM to ClusterNode with a call running: value after "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms");
        });
    }

    /**
     * With endAtJvmExit(false) nothing of ours stops the member at JVM exit (a framework's close
     * would): the JVM ends with the member, and the running call fails as its member is lost.
     */
    @Test
    void withoutTheExitHookTheEndingIsLeftToWhoeverClosesTheExecutor() throws Exception {
        sigtermWhileACallRuns("executor-no-exit-hook", (node, f, t0) -> {
            assertThat(f.exception(Duration.ofSeconds(60))).isInstanceOf(MemberLeftException.class);
            assertThat(node.process.waitFor(EXIT_BOUND.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        });
    }

    /**
     * For comparison, the failure this guards against: a bare member with Hazelcast's own shutdown
     * hook (Hazelcast's default) is shut down at SIGTERM while the call runs; the call fails.
     */
    @Test
    void withHazelcastsOwnShutdownHookTheRunningCallFails() throws Exception {
        sigtermWhileACallRuns("plain", (node, f, t0) -> {
            Throwable failure = f.exception(Duration.ofSeconds(60));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("SIGTERM, Hazelcast's own hook: the call ended after " + ms + " ms with " + failure);
            assertThat(failure).isInstanceOf(MemberLeftException.class);
            assertThat(node.process.waitFor(EXIT_BOUND.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        });
    }

    /** The child node, this JVM's member, and the process's output in a log file. */
    private static final class Node implements AutoCloseable {
        final Process process;
        final HazelcastInstance local;
        final CompletableFuture<String> ready = new CompletableFuture<>();
        final CompletableFuture<Void> exiting = new CompletableFuture<>();
        int port;

        private Node(Process process, HazelcastInstance local) {
            this.process = process;
            this.local = local;
        }

        static Node start(String mode) throws Exception {
            String clusterName = "futures-sigterm-" + UUID.randomUUID();
            int localPort = freePort();
            int nodePort = freePort();
            String members = "127.0.0.1:" + localPort + ",127.0.0.1:" + nodePort;
            HazelcastInstance local = Hazelcast.newHazelcastInstance(TestMember.config(clusterName, localPort,
                    List.of(members.split(","))));
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(LocalCluster.JVM_OPTIONS);
            cmd.addAll(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
                    System.getProperty("java.class.path"), SigtermNode.class.getName(), mode, clusterName,
                    Integer.toString(nodePort), members));
            Process p;
            try {
                p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            } catch (IOException | RuntimeException e) {
                local.getLifecycleService().terminate();
                throw e;
            }
            Node node = new Node(p, local);
            try {
                node.readOutput(Path.of("target", "cluster-logs", clusterName + "-node.log"));
                node.port = Integer.parseInt(node.ready.get(120, TimeUnit.SECONDS).split(" ")[2]);
                return node;
            } catch (Exception | Error e) {
                node.close();
                throw e;
            }
        }

        /**
         * SIGTERM, through the process handle: {@link Process#destroy()} would also close this side
         * of the node's pipes, so its output while it exits would be lost.
         */
        void sigterm() {
            assertThat(process.toHandle().destroy()).as("SIGTERM sent").isTrue();
        }

        /** An executor in this JVM that sends calls to the node's member only. */
        ClusterExecutor executorOnNode() {
            ClusterExecutor executor = ClusterExecutor.builder().hazelcastInstance(local)
                    .memberSelector(m -> m.getAddress().getPort() == port).build();
            assertThat(executor.awaitMembers(1, Duration.ofSeconds(60))).as("the node joined").isTrue();
            return executor;
        }

        private void readOutput(Path log) throws IOException {
            Files.createDirectories(log.getParent());
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                     PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8), true)) {
                    for (String line; (line = in.readLine()) != null; ) {
                        out.println(line);
                        if (line.startsWith("READY ")) {
                            ready.complete(line);
                        } else if (line.contains("EXITING")) {
                            exiting.complete(null);
                        }
                    }
                } catch (IOException e) {
                    ready.completeExceptionally(new UncheckedIOException(e));
                }
                ready.completeExceptionally(new IllegalStateException("the node closed its output; see " + log.toAbsolutePath()));
                exiting.completeExceptionally(new IllegalStateException("the node ended without EXITING (status "
                        + exitStatus() + "); see " + log.toAbsolutePath()));
            }, "sigterm-node-output");
            reader.setDaemon(true);
            reader.start();
        }

        private String exitStatus() {
            try {
                return process.waitFor(10, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "still running";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "unknown";
            }
        }

        private static int freePort() throws IOException {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            }
        }

        @Override
        public void close() {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            local.getLifecycleService().terminate();
        }
    }
}

package io.github.futures.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.Future;
import io.github.futures.SerializableCallable;
import io.github.futures.contract.Gate;
import io.github.futures.contract.Tasks;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code shutdown(wait=true)} of a cluster executor returns after the done callbacks of its calls, as the
 * thread and process pools' do (and CPython's, whose result thread runs them before shutdown joins it);
 * a callback's own {@code shutdown(wait=true)} does not wait for itself; a callback that calls
 * {@code System.exit} is not kept waiting by the exit hook.
 *
 * <p>Regression: the executor counted a call as done before its callbacks ran, so shutdown returned, and
 * the embedded member left, while a callback still ran.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterShutdownWaitsForCallbacksTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private static ClusterExecutor executor() throws Exception {
        int port = LocalCluster.freePorts(1).get(0);
        return ClusterExecutor.builder().clusterName("futures-callbacks-end-" + UUID.randomUUID())
                .port(port).members(List.of("127.0.0.1:" + port)).build();
    }

    /**
     * A call that ends only once {@code added} opens: a callback added to a future that is already done runs
     * in the adding thread, which in these tests would then block on what it is the one to release.
     */
    private static SerializableCallable<Integer> oneAfter(Gate added) {
        return Tasks.awaitThenReturn(null, added, 1);
    }

    @Test
    void shutdownWithWaitReturnsAfterTheCallbacks() throws Exception {
        ClusterExecutor executor = executor();
        AtomicInteger ran = new AtomicInteger();
        CountDownLatch inCallback = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean ranWhenShutdownReturned = new AtomicBoolean();
        Gate added = Gate.create();
        try {
            Future<Integer> f = executor.submit(oneAfter(added));
            f.addDoneCallback(done -> {
                inCallback.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ran.incrementAndGet();
            });
            added.open();
            assertThat(inCallback.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(f.result(WAIT)).isEqualTo(1);
            executor.shutdown(false, false); // shut down before anyone asks whether it ended
            Thread shutdown = new Thread(() -> {
                executor.shutdown(true, false);
                ranWhenShutdownReturned.set(ran.get() == 1);
            }, "cluster-shutdown");
            shutdown.start();
            assertThat(executor.awaitTermination(Duration.ofSeconds(2)))
                    .as("ended while a done callback of its call still runs").isFalse();
            release.countDown();
            shutdown.join(WAIT.toMillis());
            assertThat(shutdown.isAlive()).as("shutdown(wait=true) returned").isFalse();
            assertThat(ranWhenShutdownReturned).as("the callback had returned when shutdown did").isTrue();
            assertThat(executor.awaitTermination(WAIT)).isTrue();
        } finally {
            added.open();
            release.countDown();
            executor.shutdown(true, true);
        }
    }

    @Test
    void callbacksOwnShutdownWithWaitReturns() throws Exception {
        ClusterExecutor executor = executor();
        CountDownLatch returned = new CountDownLatch(1);
        AtomicBoolean onACompletionThread = new AtomicBoolean();
        Gate added = Gate.create();
        try {
            Future<Integer> f = executor.submit(oneAfter(added));
            f.addDoneCallback(done -> {
                onACompletionThread.set(Thread.currentThread().getName().contains("-completions-"));
                executor.shutdown(); // wait=true, inside the settling it would wait for
                returned.countDown();
            });
            added.open();
            assertThat(returned.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the callback's shutdown returned").isTrue();
            assertThat(onACompletionThread).as("the callback ran on one of the executor's completion threads").isTrue();
            assertThat(executor.awaitTermination(WAIT)).as("the executor ended after the callback").isTrue();
        } finally {
            added.open();
            executor.shutdown(true, true);
        }
    }

    /**
     * Two done callbacks meet, then each shuts the executor down with wait: each waits for the executor's
     * other work, not for the other, which cannot end before it returns. Regression: they waited for each
     * other for good.
     */
    @Test
    void twoCallbacksShutItDownTogether() throws Exception {
        ClusterExecutor executor = executor();
        CountDownLatch met = new CountDownLatch(2);
        CountDownLatch returned = new CountDownLatch(2);
        Gate added = Gate.create();
        try {
            for (int i = 0; i < 2; i++) {
                executor.submit(oneAfter(added)).addDoneCallback(done -> {
                    met.countDown();
                    try {
                        met.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    executor.shutdown(); // wait=true
                    returned.countDown();
                });
            }
            added.open();
            assertThat(returned.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("both callbacks' shutdowns returned").isTrue();
            assertThat(executor.awaitTermination(WAIT)).as("the executor ended after the callbacks").isTrue();
        } finally {
            added.open();
            executor.shutdown(true, true);
        }
    }

    /** abort() gives up on a done callback that does not return: the embedded member leaves within its grace. */
    @Test
    void abortDoesNotWaitForACallbackThatNeverReturns() throws Exception {
        ClusterExecutor executor = executor();
        CountDownLatch inCallback = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        Gate added = Gate.create();
        try {
            executor.submit(oneAfter(added)).addDoneCallback(done -> {
                inCallback.countDown();
                try {
                    never.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            added.open();
            assertThat(inCallback.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            executor.shutdown(false, false);
            assertThat(executor.abort(Duration.ofSeconds(1))).as("the member left despite the callback").isTrue();
            assertThat(executor.hazelcastInstance().getLifecycleService().isRunning()).isFalse();
        } finally {
            added.open();
            never.countDown();
            executor.shutdown(true, true);
        }
    }

    /** A JVM whose cluster executor's done callback calls System.exit(7). */
    public static final class ExitFromCallback {
        /**
         * Runs it.
         *
         * @param args the port
         * @throws Exception if the executor cannot start
         */
        public static void main(String[] args) throws Exception {
            int port = Integer.parseInt(args[0]);
            ClusterExecutor executor = ClusterExecutor.builder().clusterName("futures-exit-" + UUID.randomUUID())
                    .port(port).members(List.of("127.0.0.1:" + port)).build();
            executor.submit((SerializableCallable<Integer>) () -> 1).addDoneCallback(f -> System.exit(7));
            Thread.sleep(600_000L);
        }
    }

    @Test
    void callbackCallingSystemExitEndsTheJvmWithoutTheDrainWait() throws Exception {
        int port = LocalCluster.freePorts(1).get(0);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(LocalCluster.JVM_OPTIONS);
        cmd.addAll(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), ExitFromCallback.class.getName(), Integer.toString(port)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            // The exit hook waits drainTimeout (30 s) for an executor that does not end: well under it.
            assertThat(p.waitFor(25, TimeUnit.SECONDS)).as("the JVM ended without waiting for the drain").isTrue();
            assertThat(p.exitValue()).isEqualTo(7);
        } finally {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}

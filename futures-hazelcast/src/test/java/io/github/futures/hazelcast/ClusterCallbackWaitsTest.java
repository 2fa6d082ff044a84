package io.github.futures.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.Future;
import io.github.futures.SerializableCallable;
import io.github.futures.contract.Gate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Done callbacks of a cluster executor's futures that wait for follow-up calls of the same executor,
 * while the application keeps the JDK's common pool busy (parallel streams, {@code CompletableFuture}'s
 * asynchronous stages): the callbacks get their results, and the executor's results do not wait for
 * the common pool. The module's tests run with a common pool of 4 threads, as on a machine of 5 or more
 * CPUs, where Hazelcast runs asynchronous completions there by default.
 *
 * <p>Regression: the executor settled its calls on Hazelcast's default asynchronous executor, the
 * common pool: with it busy nothing completed, and as many callbacks waiting for follow-ups as it has
 * threads left no thread to complete the follow-ups.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterCallbackWaitsTest {

    private static final Duration LIMIT = Duration.ofSeconds(30);

    @Test
    void callbacksWaitForFollowUpsWhileTheCommonPoolIsBusy() throws Exception {
        int parallelism = ForkJoinPool.getCommonPoolParallelism();
        assertThat(parallelism).as("set by the module's surefire options").isGreaterThan(1);
        CountDownLatch busy = new CountDownLatch(parallelism);
        CountDownLatch release = new CountDownLatch(1);
        List<CompletableFuture<Void>> hogs = new ArrayList<>();
        for (int i = 0; i < parallelism; i++) {
            hogs.add(CompletableFuture.runAsync(() -> {
                busy.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        int port = LocalCluster.freePorts(1).get(0);
        ClusterExecutor executor = ClusterExecutor.builder().clusterName("futures-callbacks-" + UUID.randomUUID())
                .port(port).members(List.of("127.0.0.1:" + port)).build();
        // The first calls end once every callback is added, so that each runs where the executor settles
        // calls (a callback added to a done future would run in this thread, proving nothing).
        Gate added = Gate.create();
        try {
            assertThat(busy.await(LIMIT.toSeconds(), TimeUnit.SECONDS)).as("the common pool is busy").isTrue();
            int n = parallelism * 2;
            List<CompletableFuture<Object>> got = new ArrayList<>();
            Thread me = Thread.currentThread();
            for (int i = 0; i < n; i++) {
                CompletableFuture<Object> g = new CompletableFuture<>();
                got.add(g);
                int v = i;
                Future<Integer> f = executor.submit((SerializableCallable<Integer>) () -> {
                    ClusterCalls.await(added);
                    return v;
                });
                f.addDoneCallback(done -> {
                    try {
                        if (Thread.currentThread() == me) {
                            throw new AssertionError("callback " + v + " ran in the thread that added it");
                        }
                        g.complete(executor.submit((SerializableCallable<Integer>) () -> v + 100).result(LIMIT));
                    } catch (Throwable t) {
                        g.complete(t);
                    }
                });
            }
            added.open();
            for (int i = 0; i < n; i++) {
                assertThat(got.get(i).get(LIMIT.toSeconds() + 10, TimeUnit.SECONDS))
                        .as("the follow-up's result reached callback %d", i).isEqualTo(i + 100);
            }
        } finally {
            added.open();
            release.countDown(); // first: where completions need the common pool, the shutdown below waits for them
            executor.shutdown(true, true);
        }
        CompletableFuture.allOf(hogs.toArray(new CompletableFuture<?>[0])).get(LIMIT.toSeconds(), TimeUnit.SECONDS);
    }
}

package io.github.futures.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.Future;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A process pool dropped without shutdown is cleaned up when it is garbage-collected, as CPython's
 * workers end when their executor is collected: its workers exit. Real worker JVMs.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProcessPoolDroppedTest {

    private static final Duration LONG = Duration.ofSeconds(60);

    private static SerializableCallable<Long> pid() {
        return () -> ProcessHandle.current().pid();
    }

    /** Starts a pool, runs a call in each of its two workers, and drops it; returns the workers' pids. */
    private static List<Long> startAndDropPool(List<WeakReference<ProcessPoolExecutor>> ref) throws Exception {
        ProcessPoolExecutor pool = new ProcessPoolExecutor(2);
        Future<Long> a = pool.submit(pid());
        a.result(LONG);
        ref.add(new WeakReference<>(pool));
        return Processes.workerPids(pool);
    }

    /** After the pool becomes unreachable and System.gc() runs, the pool is collected and its workers exit. */
    @Test
    void workersOfAPoolDroppedWithoutShutdownExitOnceItIsCollected() throws Exception {
        List<WeakReference<ProcessPoolExecutor>> ref = new java.util.ArrayList<>();
        List<Long> pids = startAndDropPool(ref);
        assertThat(pids).isNotEmpty();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (ref.get(0).get() != null && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50); // test side: give the collector a moment between requests
        }
        assertThat(ref.get(0).get()).as("the dropped pool was collected: nothing holds it").isNull();
        for (long pid : pids) {
            assertThat(Processes.awaitExit(pid, LONG)).as("worker pid %d exits", pid).isPresent();
        }
    }
}

package io.github.futures.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.BrokenProcessPool;
import io.github.futures.Future;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import io.github.futures.spi.WorkerSnapshot;
import java.time.Duration;

/** Real failures of process pools for tests: a worker JVM killed under a call. */
public final class Workers {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private Workers() {
    }

    /**
     * Kills the worker JVM of a one-worker pool while it runs a call, and waits until the pool reports
     * itself broken (the default policy, as CPython's).
     */
    public static void breakByKillingItsWorker(ProcessPoolExecutor pool) throws Exception {
        Future<Object> running = pool.submit((SerializableCallable<Object>) () -> {
            Thread.sleep(Long.MAX_VALUE);
            return null;
        });
        long pid = -1;
        // the call is sent at once; with one worker (started at refresh by the start-up check) it is that one's
        for (WorkerSnapshot w : pool.snapshot().workerDetails()) {
            pid = w.pid();
        }
        assertThat(pid).isPositive();
        assertThat(ProcessHandle.of(pid).orElseThrow().destroyForcibly()).isTrue();
        assertThat(running.exception(WAIT)).isInstanceOf(BrokenProcessPool.class);
        assertThat(pool.snapshot().state()).isEqualTo("broken");
    }
}

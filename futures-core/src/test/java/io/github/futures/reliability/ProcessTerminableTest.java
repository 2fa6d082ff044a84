package io.github.futures.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.futures.BrokenProcessPool;
import io.github.futures.Future;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import io.github.futures.contract.Gate;
import io.github.futures.spi.Terminable;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The process pool as a {@link Terminable}: what the Spring lifecycle and the exit hook see. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProcessTerminableTest {

    private static final Duration LONG = Duration.ofSeconds(60);

    private static SerializableCallable<Integer> waitFor(Gate gate) {
        return () -> {
            gate.await();
            return 1;
        };
    }

    /**
     * abort(grace) after shutdown ends a pool whose call never returns: the running call fails with
     * BrokenProcessPool, the queued one is cancelled, the worker is gone, and it returns true.
     */
    @Test
    void abortEndsAPoolWhoseCallNeverReturns() throws Exception {
        Gate never = Gate.create();
        ProcessPoolExecutor pool = new ProcessPoolExecutor(1);
        Terminable terminable = pool;
        try {
            assertThat(pool.submit(() -> 0).result(LONG)).isZero();
            Future<Integer> running = pool.submit(waitFor(never));
            Future<Integer> ahead = pool.submit(waitFor(never));
            Future<Integer> queued = pool.submit(waitFor(never));
            assertThatThrownBy(() -> terminable.abort(Duration.ofSeconds(5))).isInstanceOf(IllegalStateException.class);
            pool.shutdown(false, false);
            assertThat(terminable.awaitTermination(Duration.ofMillis(200))).isFalse();
            assertThat(terminable.abort(Duration.ofSeconds(30))).isTrue();
            assertThat(running.exception(LONG)).isInstanceOf(BrokenProcessPool.class);
            assertThat(ahead.exception(LONG)).isInstanceOf(BrokenProcessPool.class);
            assertThat(queued.cancelled()).isTrue();
            assertThat(Processes.workerPids(pool)).isEmpty();
            assertThat(terminable.awaitTermination(Duration.ZERO)).isTrue();
        } finally {
            never.open();
        }
    }
}

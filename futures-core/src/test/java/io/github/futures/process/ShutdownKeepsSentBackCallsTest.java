package io.github.futures.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.Future;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import io.github.futures.TerminatedWorkerError;
import io.github.futures.WorkerDeathPolicy;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A cancelling shutdown cancels only the calls never sent to a worker: a call sent ahead and given
 * back to the queue (its worker died) is running, cannot be cancelled, and still runs to its end.
 */
@Timeout(120)
class ShutdownKeepsSentBackCallsTest {

    private static final Duration LIMIT = Duration.ofSeconds(60);

    /**
     * A call sent ahead to a worker that dies goes back to the queue as running; a cancelling shutdown
     * right then cancels the pending call behind it, and the sent-back call still runs and completes
     * before the pool terminates.
     */
    @Test
    void callSentBackAfterItsWorkerDiedStillCompletesWhenShutdownCancelsThePendingOnes() throws Exception {
        try (Gate gate = new Gate()) {
            ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1)
                    .onWorkerDeath(WorkerDeathPolicy.REPLACE_WORKER).build();
            try {
                SerializableCallable<Long> waits = gate.call();
                Future<Integer> dies = pool.submit((SerializableCallable<Integer>) () -> {
                    waits.call();
                    Runtime.getRuntime().halt(3);
                    return -1;
                });
                assertThat(gate.awaitArrival(LIMIT)).as("the first call runs in the worker").isTrue();
                Future<Integer> ahead = pool.submit((SerializableCallable<Integer>) () -> 7);
                Future<Integer> pending = pool.submit((SerializableCallable<Integer>) () -> 8);
                assertThat(ahead.running()).as("sent ahead to the busy worker").isTrue();
                assertThat(pending.running()).as("two calls in flight: the third waits in the queue").isFalse();
                // Told in the reader thread once the death was handled: the call sent ahead is back in the
                // queue (a replacement is starting), the pending one behind it.
                CountDownLatch shutDown = new CountDownLatch(1);
                dies.addDoneCallback(f -> {
                    pool.shutdown(false, true);
                    shutDown.countDown();
                });

                gate.releaseAll(); // the first call ends its worker

                assertThat(dies.exception(LIMIT)).isInstanceOf(TerminatedWorkerError.class);
                assertThat(shutDown.await(LIMIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
                assertThat(pool.awaitTermination(LIMIT)).isTrue();
                assertThat(pending.cancelled()).as("never sent to a worker: cancelled by the shutdown").isTrue();
                assertThat(ahead.done()).as("sent back while running: not dropped by the shutdown").isTrue();
                assertThat(ahead.result()).isEqualTo(7);
            } finally {
                pool.shutdown(false, true);
            }
        }
    }
}

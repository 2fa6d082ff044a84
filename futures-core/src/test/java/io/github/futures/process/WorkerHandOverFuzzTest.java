package io.github.futures.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.DoneAndNotDone;
import io.github.futures.Future;
import io.github.futures.Futures;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

/**
 * A worker's reader role changes hands around {@link WorkerMain#HANDOVER_NANOS}: calls of random lengths
 * on both sides of it (none, under a millisecond, just under and just over 10 ms, well over), failing
 * calls, calls sent ahead under a backlog (so that an idle worker makes the pool revoke some of them) and
 * cancels, from two submitting threads. Every call that was not cancelled returns its own index or its
 * own failure, every future ends exactly once, nothing hangs, and the pool shuts down. The seed is in the
 * failure message.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class WorkerHandOverFuzzTest {

    /** Milliseconds a call may take: the hand-over comes at 10. */
    private static final int[] LENGTHS = {0, 0, 0, 1, 5, 9, 10, 11, 12, 25};

    static SerializableCallable<Integer> call(int index, int millis, boolean fail) {
        return () -> {
            if (millis > 0) {
                Thread.sleep(millis); // the call's own work, in the worker
            }
            if (fail) {
                throw new IllegalStateException("call " + index + " failed on purpose");
            }
            return index;
        };
    }

    @RepeatedTest(3)
    void everyCallEndsOnceWhateverItsLengthAgainstTheHandOver() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        int n = 240;
        int[] lengths = new int[n];
        boolean[] fails = new boolean[n];
        boolean[] cancel = new boolean[n];
        for (int i = 0; i < n; i++) {
            lengths[i] = LENGTHS[random.nextInt(LENGTHS.length)];
            fails[i] = random.nextInt(8) == 0;
            cancel[i] = random.nextInt(10) == 0;
        }
        List<Future<Integer>> futures = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            futures.add(null);
        }
        AtomicIntegerArray ends = new AtomicIntegerArray(n);
        CountDownLatch allEnded = new CountDownLatch(n);
        ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(2).build();
        try {
            pool.prestartWorkers();
            Thread[] submitters = new Thread[2];
            for (int t = 0; t < submitters.length; t++) {
                int first = t;
                submitters[t] = new Thread(() -> {
                    for (int i = first; i < n; i += 2) {
                        int index = i;
                        Future<Integer> f = pool.submit(call(i, lengths[i], fails[i]));
                        f.addDoneCallback(done -> {
                            ends.incrementAndGet(index);
                            allEnded.countDown();
                        });
                        synchronized (futures) {
                            futures.set(i, f);
                        }
                        if (cancel[i]) {
                            f.cancel(); // refused once the call was sent to a worker: it then runs to its end
                        }
                    }
                }, "submitter-" + t);
                submitters[t].start();
            }
            for (Thread t : submitters) {
                t.join(TimeUnit.SECONDS.toMillis(60));
                assertThat(t.isAlive()).as("submitter ended (seed %d)", seed).isFalse();
            }
            List<Future<Integer>> all;
            synchronized (futures) {
                all = new ArrayList<>(futures);
            }
            DoneAndNotDone<Future<Integer>> waited = Futures.wait(all, Duration.ofSeconds(60));
            assertThat(waited.notDone()).as("futures left running (seed %d)", seed).isEmpty();
            assertThat(allEnded.await(30, TimeUnit.SECONDS)).as("done callbacks (seed %d)", seed).isTrue();
            for (int i = 0; i < n; i++) {
                Future<Integer> f = all.get(i);
                assertThat(ends.get(i)).as("ends of call %d (seed %d)", i, seed).isEqualTo(1);
                if (f.cancelled()) {
                    assertThat(cancel[i]).as("call %d cancelled only if asked (seed %d)", i, seed).isTrue();
                } else if (fails[i]) {
                    assertThat(f.exception()).as("call %d (seed %d)", i, seed)
                            .isInstanceOf(IllegalStateException.class).hasMessage("call " + i + " failed on purpose");
                } else {
                    assertThat(f.result()).as("call %d (seed %d)", i, seed).isEqualTo(i);
                }
            }
            pool.shutdown(false, true);
            assertThat(pool.awaitTermination(Duration.ofSeconds(60))).as("shut down (seed %d)", seed).isTrue();
            assertThat(pool.snapshot().workers()).as("workers left after shutdown (seed %d)", seed).isZero();
        } finally {
            pool.killWorkers(); // a broken worker must not keep this test, or the build, waiting
        }
    }
}

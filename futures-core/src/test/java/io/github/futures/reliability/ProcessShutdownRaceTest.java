package io.github.futures.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.BrokenProcessPool;
import io.github.futures.Future;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Shutdown neither loses nor leaks a call, with real workers: once submit returned a future, that
 * future ends (it runs, or cancelFutures cancels it), and shutdown(wait=true) returns only after
 * every accepted call ended, also when a worker dies while shutdown waits. The protocol itself is
 * model-checked by {@code AdmissionLincheckTest}; these rounds run it with real threads and JVMs.
 * Rounds: {@code -Dstress.shutdownRounds=N}; 40 in the normal build (each round starts worker JVMs,
 * about a second on a loaded 2-core machine), 200 for the run recorded in RELIABILITY.md.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class ProcessShutdownRaceTest {

    private static final int SUBMITTERS = 4;
    private static final int PER_SUBMITTER = 25;

    private static SerializableCallable<Integer> echo(int n) {
        return () -> n;
    }

    /**
     * Rounds of four submitters, with a shutdown(true) (cancelling every other round) as soon as
     * the first submit returned: when shutdown returns, every future a submit returned is done, with its value or
     * cancelled, and every later submit was refused.
     */
    @Test
    void everyCallAcceptedBeforeShutdownEndsBeforeShutdownReturns() throws Exception {
        int rounds = Integer.getInteger("stress.shutdownRounds", 40);
        long accepted = 0;
        long refused = 0;
        long cancelled = 0;
        long t0 = System.nanoTime();
        for (int round = 0; round < rounds; round++) {
            boolean cancelFutures = round % 2 == 1;
            ProcessPoolExecutor pool = new ProcessPoolExecutor(2);
            ConcurrentLinkedQueue<Future<Integer>> futures = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Integer> refusals = new ConcurrentLinkedQueue<>();
            CountDownLatch go = new CountDownLatch(1);
            CountDownLatch firstAccepted = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < SUBMITTERS; t++) {
                int base = t * PER_SUBMITTER;
                Thread thread = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; i < PER_SUBMITTER; i++) {
                        try {
                            futures.add(pool.submit(echo(base + i)));
                            firstAccepted.countDown();
                        } catch (RejectedExecutionException e) {
                            refusals.add(base + i);
                            firstAccepted.countDown();
                        }
                    }
                }, "submitter-" + t);
                thread.start();
                threads.add(thread);
            }
            go.countDown();
            firstAccepted.await(); // the submitters are under way: shutdown races their next submits
            pool.shutdown(true, cancelFutures);
            List<Future<Integer>> seenAtReturn = new ArrayList<>(futures);
            for (Future<Integer> f : seenAtReturn) {
                assertThat(f.done()).as("round %d: a future accepted before shutdown(true) returned is done", round)
                        .isTrue();
            }
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(60));
                assertThat(t.isAlive()).isFalse();
            }
            for (Future<Integer> f : futures) {
                assertThat(f.done()).as("round %d: every accepted future ends", round).isTrue();
                if (f.cancelled()) {
                    assertThat(cancelFutures).isTrue();
                    cancelled++;
                } else {
                    assertThat(f.exception()).isNull();
                }
            }
            assertThat(futures.size() + refusals.size()).isEqualTo(SUBMITTERS * PER_SUBMITTER);
            accepted += futures.size();
            refused += refusals.size();
        }
        System.out.printf("ProcessShutdownRaceTest: %d rounds in %d ms: %d calls accepted (%d cancelled), %d refused%n",
                rounds, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), accepted, cancelled, refused);
    }

    private static SerializableCallable<Integer> sleepThenHalt() {
        return () -> {
            Thread.sleep(100);
            Runtime.getRuntime().halt(9);
            return 0;
        };
    }

    /**
     * A call that sleeps 100 ms and then halts its worker's JVM, then shutdown(true): when shutdown
     * returns, that call's future is done (failed with BrokenProcessPool), in every one of 10 rounds.
     */
    @Test
    void workerDyingWhileShutdownWaitsEndsItsFutureBeforeShutdownReturns() throws Exception {
        for (int round = 0; round < 10; round++) {
            ProcessPoolExecutor pool = new ProcessPoolExecutor(1);
            Future<Integer> dying = pool.submit(sleepThenHalt());
            pool.shutdown(true, false);
            assertThat(dying.done()).as("round %d: the dying call's future is done when shutdown returns", round).isTrue();
            assertThat(dying.exception()).isInstanceOf(BrokenProcessPool.class).hasMessageContaining("code 9");
        }
    }
}

package io.github.futures.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.ProcessPoolExecutor;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code prestartWorkers()} racing shutdown, as the starter's background prestart does when a context
 * closes right after its refresh (a CDS training run with {@code spring.context.exit=onRefresh}, a test
 * context): whichever comes first, the prestart either starts workers that the shutdown then stops or is
 * refused, shutdown ends, and no worker JVM is left running behind it. Every second round lets the prestart
 * return first, so that the shutdown meets worker JVMs still starting whichever way the free races go.
 */
@Timeout(180)
class PrestartShutdownRaceTest {

    private static final int ROUNDS = 12;

    /** Live child processes of this JVM that are workers. */
    private static Set<Long> workerChildren() {
        return ProcessHandle.current().children()
                .filter(ProcessHandle::isAlive)
                .filter(p -> p.info().commandLine().map(c -> c.contains(WorkerMain.class.getName())).orElse(false))
                .map(ProcessHandle::pid)
                .collect(Collectors.toSet());
    }

    @Test
    void prestartRacingShutdownWithWaitLeavesNoWorkerBehind() throws Exception {
        race(true);
    }

    @Test
    void prestartRacingShutdownWithoutWaitLeavesNoWorkerBehind() throws Exception {
        race(false);
    }

    private static void race(boolean wait) throws Exception {
        int refused = 0;
        int prestarted = 0;
        for (int round = 0; round < ROUNDS; round++) {
            Set<Long> before = workerChildren();
            ProcessPoolExecutor pool = new ProcessPoolExecutor(2);
            CountDownLatch go = new CountDownLatch(1);
            AtomicReference<Object> outcome = new AtomicReference<>();
            Thread prestarter = new Thread(() -> {
                try {
                    go.await();
                    outcome.set(pool.prestartWorkers());
                } catch (RejectedExecutionException e) {
                    outcome.set(e);
                } catch (Throwable t) {
                    outcome.set(new AssertionError("prestartWorkers threw something else", t));
                }
            }, "prestarter-" + round);
            prestarter.start();
            go.countDown();
            if (round % 2 == 1) {
                // Not a race in these rounds: the prestart has returned, so its worker JVMs are starting
                // (a JVM takes about 0.1 s) when the shutdown comes. The other rounds race freely.
                prestarter.join(TimeUnit.SECONDS.toMillis(60));
            }
            pool.shutdown(wait, false);
            assertThat(pool.awaitTermination(Duration.ofSeconds(60))).as("round %d terminated", round).isTrue();
            prestarter.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(prestarter.isAlive()).as("prestartWorkers returned").isFalse();
            Object o = outcome.get();
            if (o instanceof AssertionError e) {
                throw e;
            }
            if (o instanceof RejectedExecutionException e) {
                assertThat(e).hasMessageContaining("after shutdown");
                refused++;
            } else {
                assertThat((Integer) o).isBetween(0, 2);
                prestarted += (Integer) o;
            }
            // Every worker this pool started has ended by the time the pool terminated.
            Set<Long> left = workerChildren();
            left.removeAll(before);
            assertThat(left).as("worker JVMs still running after round %d (%s)", round, o).isEmpty();
            assertThat(pool.snapshot().workers()).isZero();
            assertThat(pool.snapshot().state()).isEqualTo("shutdown");
        }
        System.out.println("prestart against shutdown(wait=" + wait + "): " + refused + " refused, "
                + prestarted + " workers prestarted and stopped over " + ROUNDS + " rounds");
        // The rounds where the prestart returned first started both workers each time.
        assertThat(prestarted).as("workers prestarted, then stopped by the shutdown").isGreaterThanOrEqualTo(ROUNDS);
    }
}

package io.github.futures;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Waiters of {@code asCompleted} and {@code wait} do not pile up on a long-lived pending future, and
 * removing one is O(1) amortized (issue 15, item 8). Measured in list nodes and list steps, not time.
 *
 * <p>Regression: 100 000 {@code asCompleted} loops left by {@code break} kept their waiter on the
 * pending future (47 MB), and each later removal walked the whole list (result(timeout) 30x slower).
 */
@Timeout(120)
class WaiterRemovalTest {

    private static final int LOOPS = 100_000;
    /** Nodes a future may keep after its waiters left: removed ones wait for a sweep (at least 8). */
    private static final int BOUND = 32;

    /**
     * Runs the collector, each time followed by a pass of the library's Cleaner (a latch), until
     * {@code done} or the budget is spent: on a loaded machine the Cleaner thread may need several
     * passes for 100 000 references.
     */
    private static void collectUntil(java.util.function.BooleanSupplier done, Duration budget) throws InterruptedException {
        long deadline = System.nanoTime() + budget.toNanos();
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            CountDownLatch cleaned = new CountDownLatch(1);
            FuturesCleaner.CLEANER.register(new Object(), cleaned::countDown);
            System.gc();
            cleaned.await(1, TimeUnit.SECONDS);
        }
    }

    /** 100 000 asCompleted loops left by break: once collected, their waiters are gone from the pending future. */
    @Test
    void abandonedAsCompletedLoopsLeaveNoWaitersBehind() throws InterruptedException {
        Future<Integer> pending = new Future<>();
        Future<Integer> done = new Future<>();
        done.setResult(1);
        int yielded = 0;
        for (int i = 0; i < LOOPS; i++) {
            for (Future<Integer> f : Futures.asCompleted(List.of(done, pending))) {
                yielded += f.result();
                break;
            }
        }
        assertThat(yielded).isEqualTo(LOOPS);
        int before = pending.listenerNodes();
        collectUntil(() -> pending.listenerNodes() <= BOUND, Duration.ofSeconds(60));
        int after = pending.listenerNodes();
        System.out.printf("[reliability] WaiterRemovalTest %d abandoned asCompleted loops: %d nodes on the pending"
                + " future before collection, %d after%n", LOOPS, before, after);
        assertThat(after).as("nodes left on the pending future").isLessThanOrEqualTo(BOUND);
        pending.setResult(2); // still tells nobody twice, nothing breaks
        assertThat(pending.listenerNodes()).isZero();
    }

    /** An asCompleted loop that runs to its end or times out removes its waiters at once. */
    @Test
    void finishedAndTimedOutAsCompletedLoopsRemoveTheirWaiters() {
        Future<Integer> pending = new Future<>();
        for (int i = 0; i < 10_000; i++) {
            try {
                for (Future<Integer> f : Futures.asCompleted(List.of(pending), Duration.ofNanos(1))) {
                    f.result();
                }
            } catch (TimeoutError expected) {
                // the loop timed out: its waiter must be gone
            }
        }
        assertThat(pending.listenerNodes()).isLessThanOrEqualTo(BOUND);
    }

    /** Removing 100 000 waiters in random order visits a bounded number of list nodes per removal. */
    @Test
    void removingAWaiterIsConstantTimeAmortized() {
        Future<Integer> f = new Future<>();
        Future.Waiter nobody = new Future.Waiter() {
            @Override
            void onDone(Future<?> future) {
            }
        };
        List<Future.Node> nodes = new ArrayList<>();
        for (int i = 0; i < LOOPS; i++) {
            nodes.add(f.addWaiter(nobody));
        }
        Collections.shuffle(nodes, new Random(15));
        long steps = 0;
        int maxLive = 0;
        for (int i = 0; i < nodes.size(); i++) {
            steps += f.remove(nodes.get(i));
            if (i % 10_000 == 0) {
                int live = LOOPS - i - 1;
                assertThat(f.listenerNodes()).as("nodes with %d live waiters", live).isLessThanOrEqualTo(2 * live + BOUND);
                maxLive = Math.max(maxLive, live);
            }
        }
        System.out.printf("[reliability] WaiterRemovalTest removing %d waiters: %d list steps (%.2f per removal)%n",
                LOOPS, steps, steps / (double) LOOPS);
        assertThat(steps).as("list steps for %d removals", LOOPS).isLessThanOrEqualTo(6L * LOOPS);
        assertThat(f.listenerNodes()).isLessThanOrEqualTo(BOUND);
    }

    /** wait() with each return condition removes its waiters when it returns. */
    @Test
    void waitRemovesItsWaitersForEveryReturnCondition() {
        Future<Integer> pending = new Future<>();
        Future<Integer> other = new Future<>();
        for (ReturnWhen when : ReturnWhen.values()) {
            for (int i = 0; i < 10_000; i++) {
                DoneAndNotDone<Future<Integer>> r = Futures.wait(List.of(pending, other), Duration.ofNanos(1), when);
                assertThat(r.notDone()).hasSize(2);
            }
            assertThat(pending.listenerNodes()).as("nodes after wait(%s)", when).isLessThanOrEqualTo(BOUND);
            assertThat(other.listenerNodes()).as("nodes after wait(%s)", when).isLessThanOrEqualTo(BOUND);
        }
    }

    /** result(timeout) that times out, many times over, leaves no waiting-thread nodes behind. */
    @Test
    void timedOutResultCallsLeaveNoNodesBehind() {
        Future<Integer> pending = new Future<>();
        pending.addDoneCallback(f -> { });
        for (int i = 0; i < 10_000; i++) {
            try {
                pending.result(Duration.ofNanos(1));
            } catch (TimeoutError expected) {
                // timed out, as meant
            }
        }
        assertThat(pending.listenerNodes()).isLessThanOrEqualTo(BOUND);
    }
}

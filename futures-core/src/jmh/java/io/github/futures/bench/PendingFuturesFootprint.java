package io.github.futures.bench;

import io.github.futures.ThreadPoolExecutor;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * Memory: how much heap {@code count} pending futures take in a thread pool whose only worker is
 * blocked, so that every call stays queued. The caller keeps every future (as a program that later
 * waits for them does). Prints one line:
 * {@code impl=futures count=1000000 usedBytes=... bytesPerFuture=... maxHeapBytes=...}.
 * Used heap is measured after full GCs, before and after the submits; the difference is the cost of
 * the futures, their calls and the queue. Exits with status 1 if the heap runs out.
 *
 * <p>Run (from the repository root; the target is 1 000 000 futures within a 256 MB heap):
 * <pre>
 * ./mvnw -Pbench -pl futures-core test-compile
 * java -Xmx256m -cp "futures-core/target/test-classes:futures-core/target/classes:$(cat futures-core/target/jmh-classpath.txt)" \
 *     io.github.futures.bench.PendingFuturesFootprint futures 1000000
 * </pre>
 * {@code impl} is {@code futures}, {@code jdk} or {@code spring} (the last needs {@code -Pbench}).
 */
public final class PendingFuturesFootprint {

    private PendingFuturesFootprint() {
    }

    /**
     * Measures and prints.
     *
     * @param args {@code impl} and {@code count}
     */
    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: PendingFuturesFootprint <futures|jdk|spring> <count>");
            System.exit(2);
        }
        String impl = args[0];
        int count = Integer.parseInt(args[1]);
        try {
            System.out.println(measure(impl, count));
        } catch (OutOfMemoryError e) {
            System.out.println("impl=" + impl + " count=" + count + " outOfMemory=true maxHeapBytes="
                    + Runtime.getRuntime().maxMemory());
            System.exit(1);
        }
    }

    /**
     * Queues {@code count} calls behind a blocked worker and measures the heap they use.
     *
     * @param impl futures, jdk or spring
     * @param count how many pending futures
     * @return the result line
     */
    static String measure(String impl, int count) {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        Callable<Object> block = () -> {
            blocked.countDown();
            release.await();
            return null;
        };
        Object[] futures = new Object[count];
        long before;
        long after;
        if (Peers.FUTURES.equals(impl)) {
            ThreadPoolExecutor pool = new ThreadPoolExecutor(1, "footprint");
            try {
                pool.submit(block);
                awaitQuietly(blocked);
                before = usedAfterGc();
                for (int i = 0; i < count; i++) {
                    futures[i] = pool.submit(Workloads.NOOP);
                }
                after = usedAfterGc();
                check(pool.taskStats().pendingCount(), count);
            } finally {
                release.countDown();
                pool.shutdown(true, true);
            }
        } else {
            JucPool pool = Peers.juc(impl, 1);
            try {
                pool.submit(block);
                awaitQuietly(blocked);
                before = usedAfterGc();
                for (int i = 0; i < count; i++) {
                    futures[i] = pool.submit(Workloads.NOOP);
                }
                after = usedAfterGc();
                check(((java.util.concurrent.Future<?>) futures[count - 1]).isDone() ? 0 : count, count);
            } finally {
                release.countDown();
                pool.shutdownNow();
            }
        }
        long used = after - before;
        return String.format(Locale.ROOT, "impl=%s count=%d usedBytes=%d bytesPerFuture=%.1f maxHeapBytes=%d",
                impl, count, used, (double) used / count, Runtime.getRuntime().maxMemory());
    }

    private static void check(long pending, int count) {
        if (pending != count) {
            throw new IllegalStateException(pending + " futures pending, expected " + count);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Heap in use after full collections (System.gc is a full, synchronous GC with G1 and the other collectors' defaults). */
    private static long usedAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}

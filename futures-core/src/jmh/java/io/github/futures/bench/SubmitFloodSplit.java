package io.github.futures.bench;

import io.github.futures.Future;
import io.github.futures.ThreadPoolExecutor;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@link SubmitBenchmark}'s flood (100 000 no-op calls on 4 workers, then every result) as a program that
 * reports the distribution of the floods rather than their average, and that can split a flood in two:
 * with {@code gate}, the four workers are held in calls that wait at a gate while the 100 000 calls are
 * submitted (so the submits meet no wake-up and no worker), then the gate opens and the workers drain
 * the queue while the caller takes the results. Used to find which side of the pool a change affects
 * (BENCHMARKS.md, "After the bisect"). Runs {@code rounds} floods to warm up, then {@code rounds}
 * measured ones, and prints the 10th percentile, median and best of the measured ones (and of each
 * phase with {@code gate}).
 *
 * <pre>
 * ./mvnw -Pbench -pl futures-core test-compile
 * C=futures-core/target
 * taskset -c 0 java -Xms1g -Xmx1g -cp "$C/test-classes:$C/classes" io.github.futures.bench.SubmitFloodSplit 100 gate
 * taskset -c 0 java -Xms1g -Xmx1g -cp "$C/test-classes:$C/classes" io.github.futures.bench.SubmitFloodSplit 100 flood
 * </pre>
 * (A build of another commit on the class path instead of {@code $C/classes} compares two builds.)
 */
public final class SubmitFloodSplit {

    private static final int CALLS = 100_000;
    private static final int WORKERS = 4;

    private SubmitFloodSplit() {
    }

    /**
     * Runs the floods.
     *
     * @param args the number of rounds (warm-up and measured each), and {@code gate} or {@code flood}
     * @throws InterruptedException never in practice
     */
    public static void main(String[] args) throws InterruptedException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        boolean gated = args.length > 1 && args[1].equals("gate");
        Future<?>[] fs = new Future<?>[CALLS];
        ThreadPoolExecutor pool = new ThreadPoolExecutor(WORKERS, "flood");
        long[] submit = new long[rounds];
        long[] drain = new long[rounds];
        long[] whole = new long[rounds];
        try {
            for (int r = 0; r < 2 * rounds; r++) {
                CountDownLatch gate = new CountDownLatch(1);
                CountDownLatch held = new CountDownLatch(gated ? WORKERS : 0);
                Future<?>[] gates = new Future<?>[gated ? WORKERS : 0];
                for (int g = 0; g < gates.length; g++) {
                    gates[g] = pool.submit(() -> {
                        held.countDown();
                        return gate.await(60, TimeUnit.SECONDS);
                    });
                }
                if (!held.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the workers did not reach the gate");
                }
                long t0 = System.nanoTime();
                for (int i = 0; i < CALLS; i++) {
                    fs[i] = pool.submit(Workloads.NOOP);
                }
                long t1 = System.nanoTime();
                gate.countDown();
                for (Future<?> g : gates) {
                    if (!Boolean.TRUE.equals(g.result())) {
                        throw new IllegalStateException("a gate call timed out");
                    }
                }
                for (int i = 0; i < CALLS; i++) {
                    if (fs[i].result() != null) {
                        throw new IllegalStateException("a no-op call returned a value");
                    }
                    fs[i] = null;
                }
                long t2 = System.nanoTime();
                if (r >= rounds) {
                    submit[r - rounds] = t1 - t0;
                    drain[r - rounds] = t2 - t1;
                    whole[r - rounds] = t2 - t0;
                }
            }
        } finally {
            pool.shutdown(false, true);
        }
        if (gated) {
            System.out.println("submit " + summary(submit) + " | drain " + summary(drain));
        } else {
            System.out.println("flood " + summary(whole));
        }
    }

    private static String summary(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return String.format("p10 %.2f p50 %.2f best %.2f ms", s[s.length / 10] / 1e6, s[s.length / 2] / 1e6,
                s[0] / 1e6);
    }
}

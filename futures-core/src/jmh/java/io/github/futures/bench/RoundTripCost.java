package io.github.futures.bench;

import io.github.futures.ThreadPoolExecutor;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What one round trip of {@link RoundTripBenchmark} costs the machine, not only how long it takes: a
 * program that makes {@code calls} round trips (submit one call to a pool of 4 workers, or of as many as
 * its fourth argument says; wait for its result) per round and prints, per round trip, the wall time, the
 * process's CPU time split into user and system time, and the context switches of all its threads,
 * voluntary (a thread parked) and involuntary (a thread was preempted); and at the end how many of the
 * workers the pool started. Linux only (it reads {@code /proc/self}). Used to tell apart
 * work done by the pool's code (user time, the same pinned and free-running) from the cost of waking
 * threads on another CPU (system time, and where the woken thread runs): BENCHMARKS.md, "The thread
 * pool's round trip: code or scheduler".
 *
 * <pre>
 * ./mvnw -Pbench -pl futures-core test-compile
 * C=futures-core/target
 * java -Xms1g -Xmx1g -cp "$C/test-classes:$C/classes" io.github.futures.bench.RoundTripCost futures 50000 3
 * java -Xms1g -Xmx1g -cp "$C/test-classes:$C/classes" io.github.futures.bench.RoundTripCost jdk 50000 3
 * java ... RoundTripCost jdk 50000 3 1   # a pool of one worker, as ours runs this caller
 * taskset -c 0 java ...   # pinned to one CPU
 * </pre>
 * Three unmeasured rounds come first. Each JVM lands its threads differently on a small virtual
 * machine: compare medians over several runs of each, alternating.
 */
public final class RoundTripCost {

    private static final int DEFAULT_WORKERS = 4;
    private static final int WARM_UP_ROUNDS = 3;
    /** The kernel's clock ticks per second for /proc/self/stat (USER_HZ, 100 on Linux). */
    private static final long TICKS_PER_SECOND = 100L;

    private RoundTripCost() {
    }

    /**
     * Runs the rounds.
     *
     * @param args {@code futures} or {@code jdk}, round trips per round, measured rounds, workers (4)
     * @throws IOException if /proc cannot be read
     */
    public static void main(String[] args) throws IOException {
        String impl = args.length > 0 ? args[0] : Peers.FUTURES;
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 50_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int workers = args.length > 3 ? Integer.parseInt(args[3]) : DEFAULT_WORKERS;
        if (!impl.equals(Peers.FUTURES) && !impl.equals(Peers.JDK)) {
            throw new IllegalArgumentException("impl must be futures or jdk, not " + impl);
        }
        ThreadPoolExecutor pool = impl.equals(Peers.FUTURES) ? new ThreadPoolExecutor(workers, "round-trip") : null;
        JucPool peer = pool == null ? Peers.juc(Peers.JDK, workers) : null;
        double[] wall = new double[rounds];
        try {
            for (int r = 0; r < WARM_UP_ROUNDS + rounds; r++) {
                long[] before = counters();
                long t0 = System.nanoTime();
                for (int i = 0; i < calls; i++) {
                    if (pool != null) {
                        Workloads.roundTrip(pool);
                    } else {
                        Workloads.roundTrip(peer);
                    }
                }
                long t1 = System.nanoTime();
                long[] after = counters();
                if (r >= WARM_UP_ROUNDS) {
                    double n = calls;
                    wall[r - WARM_UP_ROUNDS] = (t1 - t0) / n;
                    System.out.printf("%s round %d: wall %.0f ns, cpu %.0f ns (user %.0f, system %.0f), "
                                    + "switches voluntary %.2f involuntary %.2f per round trip%n",
                            impl, r - WARM_UP_ROUNDS + 1, (t1 - t0) / n,
                            ticksToNanos(after[0] - before[0] + after[1] - before[1]) / n,
                            ticksToNanos(after[0] - before[0]) / n, ticksToNanos(after[1] - before[1]) / n,
                            (after[2] - before[2]) / n, (after[3] - before[3]) / n);
                }
            }
            // How many threads served the calls: the JDK's fixed pool starts one per submit until it has
            // its workers, then wakes them in turn; ours reuses an idle worker before it starts another
            // (as CPython's pool does), so one thread serves a caller that waits for each call.
            String prefix = pool != null ? "round-trip_" : "pool-";
            long threads = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith(prefix)).count();
            System.out.printf("%s: %d of %d workers started%n", impl, threads, workers);
        } finally {
            if (pool != null) {
                pool.shutdown(false, true);
            } else {
                peer.shutdownNow();
            }
        }
        Arrays.sort(wall);
        System.out.printf("%s median wall %.0f ns per round trip%n", impl, wall[wall.length / 2]);
    }

    private static double ticksToNanos(long ticks) {
        return ticks * (1e9 / TICKS_PER_SECOND);
    }

    /** User ticks, system ticks, voluntary and involuntary context switches of all threads. */
    private static long[] counters() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        // The fields after the command name (which may hold spaces) start after its closing ')'.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long user = Long.parseLong(f[11]);
        long system = Long.parseLong(f[12]);
        long voluntary = 0;
        long involuntary = 0;
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    for (String line : Files.readAllLines(task.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:")) {
                            voluntary += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
                            involuntary += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        }
                    }
                } catch (NoSuchFileException threadEnded) {
                    // a thread that ended meanwhile (a JIT compiler thread, say): its switches are gone
                }
            }
        }
        return new long[] {user, system, voluntary, involuntary};
    }
}

package io.github.futures.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The floor under {@link ProcessPoolBenchmark#roundTrip} on this machine: a child JVM that echoes 8 bytes
 * over its standard input and output, with none of the pool. {@code direct}: the benchmark thread writes
 * and reads the pipe itself (one thread on each side: two cross-process wake-ups per round trip, the
 * least any parent and worker JVM can do; the child on the workers' default options). {@code reader}: a reader thread reads the answer and unparks
 * the waiting benchmark thread, as a pool's reader thread completes a future (one wake-up more). A
 * process pool's round trip cannot be faster than {@code reader} without a caller that reads its own
 * answer.
 *
 * <p>Run: {@code ./mvnw -Pbench -pl futures-core test-compile exec:exec -Djmh.args="PipeFloorBenchmark"}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PipeFloorBenchmark {

    /** Who reads the answer: the caller itself or a reader thread. */
    @Param({"direct", "reader"})
    public String mode;

    private Process child;
    private DataOutputStream out;
    private DataInputStream in;
    private Thread reader;
    private volatile Thread waiter;
    private volatile long answer = -1L;
    private long next;

    /** Starts the echoing JVM and, in {@code reader} mode, the reader thread. */
    @Setup
    public void setUp() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        child = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), Echo.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        out = new DataOutputStream(new BufferedOutputStream(child.getOutputStream()));
        in = new DataInputStream(new BufferedInputStream(child.getInputStream()));
        if (mode.equals("reader")) {
            reader = new Thread(this::readAnswers, "pipe-floor-reader");
            reader.setDaemon(true);
            reader.start();
        }
    }

    private void readAnswers() {
        try {
            for (;;) {
                answer = in.readLong();
                LockSupport.unpark(waiter);
            }
        } catch (IOException ended) {
            // the child was stopped
        }
    }

    /** Stops the child. */
    @TearDown
    public void tearDown() throws InterruptedException {
        child.destroy();
        child.waitFor(10, TimeUnit.SECONDS);
    }

    /**
     * Sends a number and waits for it back, plus one.
     *
     * @return the answer
     */
    @Benchmark
    public long roundTrip() throws IOException {
        long n = next++;
        out.writeLong(n);
        out.flush();
        if (reader == null) {
            return check(n, in.readLong());
        }
        waiter = Thread.currentThread();
        while (answer != n + 1) {
            LockSupport.park(this); // woken by the reader; a spurious return re-checks
        }
        return n + 1;
    }

    private static long check(long sent, long got) {
        if (got != sent + 1) {
            throw new IllegalStateException("sent " + sent + ", got " + got);
        }
        return got;
    }

    /** The child: echoes each number plus one, on one thread, until its input ends. */
    public static final class Echo {
        private Echo() {
        }

        /**
         * Runs until standard input ends.
         *
         * @param args unused
         * @throws IOException if the pipe fails
         */
        public static void main(String[] args) throws IOException {
            DataInputStream in = new DataInputStream(new BufferedInputStream(new FileInputStream(FileDescriptor.in), 1 << 16));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16));
            try {
                for (;;) {
                    out.writeLong(in.readLong() + 1);
                    out.flush();
                }
            } catch (java.io.EOFException parentDone) {
                // the benchmark is over
            }
        }
    }
}

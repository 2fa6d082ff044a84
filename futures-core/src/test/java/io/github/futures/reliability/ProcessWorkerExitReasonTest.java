package io.github.futures.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.BrokenProcessPool;
import io.github.futures.Future;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reason a broken process pool gives for its worker's end is true for each way a worker JVM can
 * end. Real worker JVMs.
 *
 * <p>Regression: the reason was read from the exit status alone. A call's {@code System.exit(70)} was
 * described as the worker having seen its standard input close, {@code System.exit(3)} as running out of
 * memory, {@code System.exit(137)} as a SIGKILL; and any failure of the worker's own code exited with 70
 * too, so it was also described as a closed standard input. Now the worker says how it ends on standard
 * error (its own ends before they halt, a shutdown hook when {@code System.exit} or a signal ends it), and
 * the parent gives a status its usual meaning only when those words agree.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ProcessWorkerExitReasonTest {

    private static final Duration LIMIT = Duration.ofSeconds(60);

    private final List<ProcessPoolExecutor> pools = new ArrayList<>();

    @AfterEach
    void shutDown() throws Exception {
        for (ProcessPoolExecutor pool : pools) {
            CompletableFuture<Void> down = CompletableFuture.runAsync(() -> pool.shutdown(true, true));
            try {
                down.get(60, TimeUnit.SECONDS);
            } finally {
                pool.killWorkers();
            }
        }
    }

    private ProcessPoolExecutor pool(String... jvmArgs) {
        ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1).jvmArgs(jvmArgs).build();
        pools.add(pool);
        return pool;
    }

    /** A call that ends its JVM with System.exit(status). */
    static final class Exits implements SerializableCallable<Integer> {
        private static final long serialVersionUID = 1L;
        private final int status;

        Exits(int status) {
            this.status = status;
        }

        @Override
        public Integer call() {
            System.exit(status);
            return status;
        }
    }

    /** The message of the failure of a call that ends its worker. */
    private static String reasonOf(ProcessPoolExecutor pool, SerializableCallable<?> call) {
        Throwable failure = pool.submit(call).exception(LIMIT);
        assertThat(failure).isInstanceOf(BrokenProcessPool.class);
        return failure.getMessage();
    }

    /** System.exit(70) in a call is not a closed standard input: the reason names the call that exited. */
    @Test
    void systemExit70IsNotAClosedStandardInput() {
        String reason = reasonOf(pool(), new Exits(70));
        assertThat(reason).contains("exited with code 70").contains("System.exit was called by " + Exits.class.getName())
                .doesNotContain("standard input");
    }

    /** System.exit(3) in a call is not a lack of memory. */
    @Test
    void systemExit3IsNotRunningOutOfMemory() {
        String reason = reasonOf(pool(), new Exits(3));
        assertThat(reason).contains("exited with code 3").contains("System.exit was called by " + Exits.class.getName())
                .doesNotContain("memory");
    }

    /** System.exit(137) in a call is not a SIGKILL. */
    @Test
    void systemExit137IsNotASignal() {
        String reason = reasonOf(pool(), new Exits(137));
        assertThat(reason).contains("exited with code 137").contains("System.exit was called by " + Exits.class.getName())
                .doesNotContain("signal").doesNotContain("SIGKILL");
    }

    /** A call that blocks until its worker is ended. */
    static final class Blocks implements SerializableCallable<Void> {
        private static final long serialVersionUID = 1L;

        @Override
        public Void call() throws Exception {
            new CountDownLatch(1).await();
            return null;
        }
    }

    /**
     * The pool's one worker, asked for its pid by a call, then given a call that blocks: the pool's
     * future of that call is returned in {@code blocked}. Ended now, the worker ends with that call
     * sent or about to be, and its future fails either way.
     */
    private static ProcessHandle workerBlockedIn(ProcessPoolExecutor pool, List<Future<Void>> blocked) {
        long pid = pool.submit((SerializableCallable<Long>) () -> ProcessHandle.current().pid()).result(LIMIT);
        blocked.add(pool.submit(new Blocks()));
        return ProcessHandle.of(pid).orElseThrow();
    }

    /** A worker killed with SIGKILL is described as killed by that signal. */
    @Test
    void killedBySigkill() {
        ProcessPoolExecutor pool = pool();
        List<Future<Void>> blocked = new ArrayList<>();
        workerBlockedIn(pool, blocked).destroyForcibly();
        Future<Void> f = blocked.get(0);
        assertThat(f.exception(LIMIT)).isInstanceOf(BrokenProcessPool.class)
                .hasMessageContaining("exited with code 137 (killed by signal 9, SIGKILL)")
                .hasMessageNotContaining("System.exit");
    }

    /** A worker ended with SIGTERM (its shutdown hooks run) is described as ended by that signal, not by System.exit. */
    @Test
    void endedBySigterm() {
        ProcessPoolExecutor pool = pool();
        List<Future<Void>> blocked = new ArrayList<>();
        workerBlockedIn(pool, blocked).destroy();
        Future<Void> f = blocked.get(0);
        assertThat(f.exception(LIMIT)).isInstanceOf(BrokenProcessPool.class)
                .hasMessageContaining("exited with code 143 (killed by signal 15, SIGTERM)")
                .hasMessageNotContaining("System.exit");
    }

    /** A call that runs the worker out of heap. */
    static final class FillsTheHeap implements SerializableCallable<Integer> {
        private static final long serialVersionUID = 1L;

        @Override
        public Integer call() {
            List<long[]> kept = new ArrayList<>();
            for (;;) {
                kept.add(new long[1 << 18]);
            }
        }
    }

    /** A worker that ran out of memory is described so, with the JVM's own word for what ran out. */
    @Test
    void outOfMemory() {
        String reason = reasonOf(pool("-Xmx24m"), new FillsTheHeap());
        assertThat(reason).contains("exited with code 3 (it ran out of memory: Java heap space")
                .contains("-Xmx").doesNotContain("System.exit");
    }

    /**
     * A call that breaks the worker's own reading: it closes the worker's standard input file descriptor
     * (the JDK puts a write-only /dev/null in its place), so that the worker's next read fails.
     */
    static final class ClosesStandardInput implements SerializableCallable<Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public Long call() throws Exception {
            new FileInputStream(FileDescriptor.in).close();
            return ProcessHandle.current().pid();
        }
    }

    /** A failure of the worker's own code is described as that failure, not as a closed standard input. */
    @Test
    void faultInTheWorkerItself() throws Exception {
        ProcessPoolExecutor pool = pool();
        long pid = pool.submit(new ClosesStandardInput()).result(LIMIT);
        ProcessHandle.of(pid).ifPresent(p -> p.onExit().orTimeout(LIMIT.toSeconds(), TimeUnit.SECONDS).join());
        Throwable failure;
        try {
            failure = pool.submit(() -> 1).exception(LIMIT);
        } catch (BrokenProcessPool refused) {
            failure = refused;
        }
        System.out.println("[reliability] worker fault reason: " + failure.getMessage());
        assertThat(failure).isInstanceOf(BrokenProcessPool.class)
                .hasMessageContaining("pid " + pid + " exited with code 71 (the worker failed in its own code: java.io.IOException")
                .hasMessageNotContaining("standard input close");
    }

    /**
     * A call that closes the worker's standard output, the pool's channel: the JDK marks
     * {@code FileDescriptor.out} closed, so that the worker's next write of a frame fails.
     */
    static final class ClosesStandardOutput implements SerializableCallable<Long> {
        private static final long serialVersionUID = 1L;

        @Override
        public Long call() throws Exception {
            new java.io.FileOutputStream(FileDescriptor.out).close();
            return ProcessHandle.current().pid();
        }
    }

    /** The worker's own write failing is a failure of its own code too, not a closed standard input. */
    @Test
    void faultWritingTheResult() {
        Throwable failure = pool().submit(new ClosesStandardOutput()).exception(LIMIT);
        assertThat(failure).isInstanceOf(BrokenProcessPool.class)
                .hasMessageContaining("exited with code 71 (the worker failed in its own code: java.io.IOException")
                .hasMessageNotContaining("standard input close");
    }

    /**
     * A worker whose standard input closes (its parent is gone, or closed it) says so on standard error and
     * exits with 70: the one end the parent describes as a closed standard input. The worker JVM is run
     * directly here, since a pool never closes the input of a worker it still reads.
     */
    @Test
    void standardInputClosed(@TempDir Path dir) throws Exception {
        Path err = dir.resolve("stderr");
        Process worker = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.github.futures.process.WorkerMain")
                .redirectError(err.toFile()).start();
        try {
            InputStream out = worker.getInputStream();
            assertThat(out.readNBytes(8)).as("the worker's hello").hasSize(8);
            worker.getOutputStream().close();
            assertThat(worker.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)).as("the worker exited").isTrue();
            assertThat(worker.exitValue()).isEqualTo(70);
            assertThat(Files.readString(err, StandardCharsets.UTF_8)).contains("futures worker: standard input closed");
        } finally {
            worker.destroyForcibly();
        }
    }
}

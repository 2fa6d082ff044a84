package io.github.futures.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.futures.BrokenProcessPool;
import io.github.futures.Future;
import io.github.futures.Futures;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import io.github.futures.spi.ExecutorSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker that dies breaks the pool: every pending future fails with BrokenProcessPool within a
 * second, naming the worker's pid and exit code, and later submits throw it. Each test has its own
 * pool, since each breaks it.
 */
@Timeout(60)
class WorkerDeathTest {

    /** The promptness the issue asks for, with room for a loaded machine's scheduling. */
    private static final Duration PROMPTLY = Duration.ofSeconds(1);

    /**
     * Runs {@code killer} on a warm pool of one worker that also holds {@code pending} calls blocked
     * behind it, and checks that all fail promptly with BrokenProcessPool naming pid and {@code exitText}.
     */
    private static void assertDeathBreaksThePool(ProcessPoolExecutor pool, Runnable killer, long pid, String exitText) {
        List<Future<Integer>> pending = new ArrayList<>();
        pending.add(pool.submit(Probes.blockForever()));
        for (int i = 0; i < 3; i++) {
            pending.add(pool.submit((SerializableCallable<Integer>) () -> 1));
        }
        long start = System.nanoTime();
        killer.run();
        var outcome = Futures.wait(pending, Duration.ofSeconds(30));
        long elapsed = System.nanoTime() - start;
        assertThat(outcome.notDone()).as("futures left pending").isEmpty();
        assertThat(Duration.ofNanos(elapsed)).as("time until every pending future failed").isLessThan(PROMPTLY);
        for (Future<Integer> f : pending) {
            assertThat(f.exception()).isInstanceOf(BrokenProcessPool.class)
                    .hasMessageContaining("pid " + pid)
                    .hasMessageContaining(exitText);
        }
        assertThatThrownBy(() -> pool.submit((SerializableCallable<Integer>) () -> 2))
                .isInstanceOf(BrokenProcessPool.class).hasMessageContaining("pid " + pid);
        ExecutorSnapshot s = pool.snapshot();
        assertThat(s.state()).isEqualTo(ExecutorSnapshot.BROKEN);
        assertThat(s.brokenReason()).contains("pid " + pid).contains(exitText);
        assertThat(pool.isBroken()).isTrue();
        pool.shutdown(true, false);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("worker alive").isFalse();
    }

    /** A call that halts its JVM breaks the pool, naming the pid and the exit code. */
    @Test
    void runtimeHaltBreaksThePool() {
        ProcessPoolExecutor pool = new ProcessPoolExecutor(1);
        long pid = pool.submit(Probes.pid()).result();
        List<Future<Integer>> pending = new ArrayList<>();
        Future<Integer> halting = pool.submit(Probes.halt(7));
        pending.add(halting);
        assertDeathBreaksThePool(pool, () -> { }, pid, "exited with code 7");
        assertThat(halting.exception()).isInstanceOf(BrokenProcessPool.class).hasMessageContaining("code 7");
    }

    /** System.exit in a call breaks the pool too (CPython: a worker that exits is a broken pool). */
    @Test
    void systemExitBreaksThePool() {
        ProcessPoolExecutor pool = new ProcessPoolExecutor(1);
        long pid = pool.submit(Probes.pid()).result();
        Future<Integer> exiting = pool.submit(Probes.exit(5));
        assertDeathBreaksThePool(pool, () -> { }, pid, "exited with code 5");
        assertThat(exiting.exception()).isInstanceOf(BrokenProcessPool.class);
    }

    /** kill -9 of the worker's pid from outside breaks the pool: SIGKILL, code 137. */
    @Test
    void externalKill9BreaksThePool() {
        ProcessPoolExecutor pool = new ProcessPoolExecutor(1);
        long pid = pool.submit(Probes.pid()).result();
        assertDeathBreaksThePool(pool, () -> {
            try {
                Process kill = new ProcessBuilder("kill", "-9", Long.toString(pid)).inheritIO().start();
                assertThat(kill.waitFor()).isZero();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, pid, "code 137 (killed by signal 9, SIGKILL)");
    }

    /** A worker that runs out of heap under a small -Xmx exits and breaks the pool; the message says why. */
    @Test
    void outOfMemoryUnderASmallHeapBreaksThePool() {
        ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1).jvmArgs("-Xmx24m").build();
        long pid = pool.submit(Probes.pid()).result();
        Future<Integer> hog = pool.submit(Probes.exhaustHeap());
        assertThat(hog.exception()).isInstanceOf(BrokenProcessPool.class)
                .hasMessageContaining("pid " + pid)
                .hasMessageContaining("exited with code 3")
                .hasMessageContaining("-Xmx");
        assertThatThrownBy(() -> pool.submit(Probes.pid())).isInstanceOf(BrokenProcessPool.class);
        pool.shutdown(true, false);
    }

    /** A JVM crash (SIGSEGV in native memory access) breaks the pool, and the message shows the JVM's fatal error report. */
    @Test
    void jvmCrashBreaksThePool(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
        ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1)
                .jvmArgs("-XX:ErrorFile=" + tmp.resolve("hs_err_%p.log"), "-XX:-CreateCoredumpOnCrash").build();
        long pid = pool.submit(Probes.pid()).result();
        Future<Integer> crashing = pool.submit(Probes.crash());
        assertDeathBreaksThePool(pool, () -> { }, pid, "the JVM reported a fatal error");
        assertThat(crashing.exception()).hasMessageContaining("SIGSEGV");
        assertThat(crashing.exception()).isInstanceOf(BrokenProcessPool.class);
        assertThat(tmp.resolve("hs_err_" + pid + ".log")).as("the JVM's crash log").exists();
    }

    /** With two workers, one dying fails the calls of both, and the other worker is stopped. */
    @Test
    void oneDeathFailsTheCallsOfEveryWorker() {
        ProcessPoolExecutor pool = new ProcessPoolExecutor(2);
        List<Future<Long>> warm = List.of(pool.submit(Probes.pid()), pool.submit(Probes.pid()));
        warm.forEach(Future::result);
        List<Long> pids = pool.snapshot().workerDetails().stream().map(w -> w.pid()).toList();
        assertThat(pids).hasSize(2);
        Future<Integer> blocked = pool.submit(Probes.blockForever());
        Future<Integer> blocked2 = pool.submit(Probes.blockForever());
        Future<Integer> queued = pool.submit((SerializableCallable<Integer>) () -> 3);
        ProcessHandle.of(pids.get(0)).orElseThrow().destroyForcibly();
        for (Future<Integer> f : List.of(blocked, blocked2, queued)) {
            assertThat(f.exception(Duration.ofSeconds(30))).isInstanceOf(BrokenProcessPool.class)
                    .hasMessageContaining("pid " + pids.get(0));
        }
        pool.shutdown(true, false);
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("worker %d alive", pid).isFalse();
        }
    }

    /** A worker that cannot start (bad JVM option) breaks the pool with the JVM's own complaint. */
    @Test
    void workerThatCannotStartBreaksThePoolWithItsError() {
        ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1).jvmArgs("-XX:+NoSuchJvmOption").build();
        Future<Integer> f = pool.submit((SerializableCallable<Integer>) () -> 1);
        assertThat(f.exception()).isInstanceOf(BrokenProcessPool.class)
                .hasMessageContaining("could not start")
                .hasMessageContaining("NoSuchJvmOption");
        pool.shutdown(true, false);
    }

    /** A call that writes to file descriptor 1 directly corrupts the channel: the pool breaks and says what happened. */
    @Test
    void rawWritesToStandardOutputBreakThePoolWithAnExplanation() {
        ProcessPoolExecutor pool = new ProcessPoolExecutor(1);
        Future<Integer> f = pool.submit(Probes.rawStdout());
        assertThat(f.exception()).isInstanceOf(BrokenProcessPool.class)
                .hasMessageContaining("not a protocol frame")
                .hasMessageContaining("standard output");
        pool.shutdown(true, false);
    }
}

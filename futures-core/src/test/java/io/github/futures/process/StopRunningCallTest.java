package io.github.futures.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.Future;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import io.github.futures.TimeoutError;
import io.github.futures.spi.ExecutorSnapshot;
import io.github.futures.spi.PoolEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code cancel(true)} and call timeouts stop a running call by killing the worker JVM running it:
 * the calls sent ahead to that worker run elsewhere, a replacement starts, the pool is not broken.
 */
@Timeout(120)
class StopRunningCallTest {

    private static final Duration LIMIT = Duration.ofSeconds(60);

    /** Prints {@code marker} on stderr, then loops forever without ever looking at its interrupt flag. */
    static SerializableCallable<Integer> endlessLoop(String marker) {
        return () -> {
            System.err.println(marker);
            long n = 0;
            while (n >= 0) {
                n = (n + 1) & Long.MAX_VALUE;
            }
            return (int) n;
        };
    }

    /** Prints {@code marker} on stderr, then sleeps for ever. */
    static SerializableCallable<Integer> sleepForever(String marker) {
        return () -> {
            System.err.println(marker);
            for (;;) {
                Thread.sleep(60_000L);
            }
        };
    }

    private static void assertExits(long pid) throws Exception {
        ProcessHandle h = ProcessHandle.of(pid).orElse(null);
        if (h != null) {
            h.onExit().get(LIMIT.toSeconds(), TimeUnit.SECONDS);
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("worker " + pid + " alive").isFalse();
    }

    /** cancel(true) on an endless loop kills its worker; the calls sent ahead to it still run, the pool stays RUNNING. */
    @Test
    void cancelTrueStopsAnEndlessLoopAndLosesNoOtherCall() throws Exception {
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        try (ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1).build();
             StderrLines err = new StderrLines()) {
            pool.taskStats().addEventListener(events::add);
            long pid = pool.submit(Probes.pid()).result();
            String marker = "endless-" + System.nanoTime();
            Future<Integer> loop = pool.submit(endlessLoop(marker));
            List<Future<Integer>> others = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                int n = i;
                others.add(pool.submit((SerializableCallable<Integer>) () -> n * n));
            }
            assertThat(err.await(marker, LIMIT)).as("the loop started").isTrue();
            // One worker: every call counted as running besides the loop was sent ahead to the loop's worker.
            assertThat(pool.taskStats().runningCount()).as("calls sent to the one worker").isGreaterThanOrEqualTo(2L);

            assertThat(loop.cancel(true)).isTrue();

            assertThat(loop.cancelled()).isTrue();
            for (int i = 0; i < others.size(); i++) {
                assertThat(others.get(i).result(LIMIT)).isEqualTo(i * i);
            }
            assertExits(pid);
            long next = pool.submit(Probes.pid()).result(LIMIT);
            assertThat(next).isNotEqualTo(pid);
            ExecutorSnapshot s = pool.snapshot();
            assertThat(s.state()).isEqualTo(ExecutorSnapshot.RUNNING);
            assertThat(pool.isBroken()).isFalse();
            assertThat(pool.taskStats().replacedCounts()).containsEntry("cancel", 1L);
            assertThat(events).anyMatch(e -> e.type() == PoolEvent.Type.CALL_CANCELLED && e.pid() == pid);
        }
    }

    /** cancel(true) on a call still waiting behind another in its worker takes it back: the worker is not killed. */
    @Test
    void cancelTrueOfACallSentAheadTakesItBackWithoutKillingTheWorker() throws Exception {
        try (ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1).build();
             StderrLines err = new StderrLines()) {
            long pid = pool.submit(Probes.pid()).result();
            String marker = "first-" + System.nanoTime();
            Future<Long> first = pool.submit((SerializableCallable<Long>) () -> {
                System.err.println(marker);
                Thread.sleep(1_500L); // long enough for the cancel below to reach the worker first
                return ProcessHandle.current().pid();
            });
            Future<Integer> ahead = pool.submit(endlessLoop("never-" + marker));
            assertThat(err.await(marker, LIMIT)).isTrue();
            assertThat(ahead.running()).as("sent ahead: RUNNING from the pool's side").isTrue();

            assertThat(ahead.cancel(true)).isTrue();

            assertThat(first.result(LIMIT)).isEqualTo(pid);
            assertThat(pool.submit(Probes.pid()).result(LIMIT)).as("the same worker goes on").isEqualTo(pid);
            assertThat(err.lines()).noneMatch(l -> l.contains("never-" + marker));
            assertThat(pool.taskStats().replacedCounts()).doesNotContainKey("cancel");
        }
    }

    /** cancel(true) stops a running call after shutdown(wait=false) too; the call sent ahead still runs and the pool terminates. */
    @Test
    void cancelTrueAfterShutdownStopsTheCallAndThePoolTerminates() throws Exception {
        ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1).build();
        try (StderrLines err = new StderrLines()) {
            String marker = "endless-shutdown-" + System.nanoTime();
            Future<Integer> loop = pool.submit(endlessLoop(marker));
            Future<Integer> ahead = pool.submit((SerializableCallable<Integer>) () -> 7);
            assertThat(err.await(marker, LIMIT)).isTrue();
            pool.shutdown(false, false);

            assertThat(loop.cancel(true)).isTrue();

            assertThat(ahead.result(LIMIT)).isEqualTo(7);
            assertThat(pool.awaitTermination(LIMIT)).as("terminated").isTrue();
        } finally {
            pool.shutdown(true, true);
        }
    }

    /** cancel(false) keeps CPython's meaning: a running call is not touched. */
    @Test
    void cancelFalseLeavesARunningCallAlone() throws Exception {
        try (ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1).build();
             StderrLines err = new StderrLines()) {
            String marker = "running-" + System.nanoTime();
            Future<Long> call = pool.submit((SerializableCallable<Long>) () -> {
                System.err.println(marker);
                Thread.sleep(300L);
                return ProcessHandle.current().pid();
            });
            assertThat(err.await(marker, LIMIT)).isTrue();
            assertThat(call.cancel(false)).isFalse();
            assertThat(call.result(LIMIT)).isPositive();
        }
    }

    /** A call past its call timeout fails with TimeoutError, its worker's thread dump is logged, other calls complete. */
    @Test
    void callTimeoutStopsAHungCallAndLogsTheWorkersThreadDump() throws Exception {
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        try (ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1).callTimeout(Duration.ofSeconds(2)).build();
             StderrLines err = new StderrLines()) {
            pool.taskStats().addEventListener(events::add);
            long pid = pool.submit(Probes.pid()).result();
            String marker = "hung-" + System.nanoTime();
            Future<Integer> hung = pool.submit(sleepForever(marker));
            List<Future<Integer>> others = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int n = i;
                others.add(pool.submit((SerializableCallable<Integer>) () -> n + 100));
            }

            assertThat(hung.exception(LIMIT)).isInstanceOf(TimeoutError.class)
                    .hasMessageStartingWith("call exceeded its call timeout of 2s");

            for (int i = 0; i < others.size(); i++) {
                assertThat(others.get(i).result(LIMIT)).isEqualTo(i + 100);
            }
            assertThat(err.await("[worker " + pid + "] Full thread dump", LIMIT)).as("thread dump forwarded").isTrue();
            assertThat(err.await("[worker " + pid + "] " + WorkerProcess.DUMP_LAST_LINE, LIMIT)).isTrue();
            assertThat(err.lines()).anyMatch(l -> l.startsWith("[worker " + pid + "]") && l.contains("Thread.sleep"));
            assertExits(pid);
            assertThat(pool.snapshot().state()).isEqualTo(ExecutorSnapshot.RUNNING);
            assertThat(pool.taskStats().timedOutCount()).isEqualTo(1L);
            assertThat(pool.taskStats().replacedCounts()).containsEntry("timeout", 1L);
            assertThat(events).anyMatch(e -> e.type() == PoolEvent.Type.CALL_TIMED_OUT && e.pid() == pid);
        }
    }

    /** Calls that end in time are not affected by the call timeout, however many run. */
    @Test
    void callsWithinTheirTimeoutAreNotStopped() {
        try (ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(2).callTimeout(Duration.ofSeconds(20)).build()) {
            List<Future<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int n = i;
                fs.add(pool.submit((SerializableCallable<Integer>) () -> n));
            }
            for (int i = 0; i < fs.size(); i++) {
                assertThat(fs.get(i).result(LIMIT)).isEqualTo(i);
            }
            assertThat(pool.taskStats().timedOutCount()).isZero();
        }
    }
}

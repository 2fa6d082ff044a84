package io.github.futures.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.futures.BrokenProcessPool;
import io.github.futures.Future;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import io.github.futures.TerminatedWorkerError;
import io.github.futures.WorkerDeathPolicy;
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
 * Under {@link WorkerDeathPolicy#REPLACE_WORKER} a worker's death costs only the call it was running:
 * it fails with {@link TerminatedWorkerError}, the calls sent ahead to it run elsewhere, a new worker
 * takes its place. The default policy still breaks the pool ({@code WorkerDeathTest}).
 */
@Timeout(120)
class WorkerReplacementTest {

    private static final Duration LIMIT = Duration.ofSeconds(60);

    /** Prints {@code marker=<pid>} on stderr, then blocks until the JVM ends. */
    static SerializableCallable<Integer> victim(String marker) {
        return () -> {
            System.err.println(marker + "=" + ProcessHandle.current().pid());
            Object o = new Object();
            synchronized (o) {
                for (;;) {
                    o.wait();
                }
            }
        };
    }

    private static ProcessPoolExecutor.Builder replacing(int workers) {
        return ProcessPoolExecutor.builder().maxWorkers(workers).onWorkerDeath(WorkerDeathPolicy.REPLACE_WORKER);
    }

    /** kill -9 of a worker with 100 other calls in flight: only its own call fails, all 100 succeed. */
    @Test
    void killNineOfAWorkerFailsOnlyItsCallAndTheHundredOthersSucceed() throws Exception {
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        try (ProcessPoolExecutor pool = replacing(2).build(); StderrLines err = new StderrLines()) {
            pool.taskStats().addEventListener(events::add);
            String marker = "victim-" + System.nanoTime();
            Future<Integer> victim = pool.submit(victim(marker));
            List<Future<Integer>> others = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                int n = i;
                others.add(pool.submit((SerializableCallable<Integer>) () -> {
                    Thread.sleep(5L);
                    return n;
                }));
            }
            assertThat(err.await(marker + "=", LIMIT)).isTrue();
            long pid = err.lines().stream().filter(l -> l.contains(marker + "=")).findFirst()
                    .map(l -> Long.parseLong(l.substring(l.indexOf(marker + "=") + marker.length() + 1).trim())).orElseThrow();

            Process kill = new ProcessBuilder("kill", "-9", Long.toString(pid)).redirectErrorStream(true).start();
            assertThat(kill.waitFor(30, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -9 " + pid).isTrue();

            assertThat(victim.exception(LIMIT)).isInstanceOf(TerminatedWorkerError.class)
                    .hasMessageContaining("pid " + pid)
                    .hasMessageContaining("SIGKILL")
                    .hasMessageContaining(WorkerReplacementTest.class.getName());
            for (int i = 0; i < others.size(); i++) {
                assertThat(others.get(i).result(LIMIT)).isEqualTo(i);
            }
            assertThat(pool.snapshot().state()).isEqualTo(ExecutorSnapshot.RUNNING);
            assertThat(pool.isBroken()).isFalse();
            assertThat(pool.submit(Probes.pid()).result(LIMIT)).isNotEqualTo(pid);
            assertThat(pool.taskStats().replacedCounts()).containsEntry("died", 1L);
            assertThat(events).anyMatch(e -> e.type() == PoolEvent.Type.WORKER_DIED && e.pid() == pid
                    && e.detail().contains("SIGKILL"));
        }
    }

    /** System.exit inside a call fails that call with TerminatedWorkerError naming the exit code; later calls run. */
    @Test
    void systemExitInACallFailsOnlyThatCall() {
        try (ProcessPoolExecutor pool = replacing(1).build()) {
            long pid = pool.submit(Probes.pid()).result();
            Future<Integer> exiting = pool.submit(Probes.exit(42));
            List<Future<Integer>> after = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int n = i;
                after.add(pool.submit((SerializableCallable<Integer>) () -> -n));
            }
            assertThat(exiting.exception(LIMIT)).isInstanceOf(TerminatedWorkerError.class)
                    .hasMessageContaining("pid " + pid).hasMessageContaining("exited with code 42")
                    .hasMessageContaining(Probes.class.getName());
            for (int i = 0; i < after.size(); i++) {
                assertThat(after.get(i).result(LIMIT)).isEqualTo(-i);
            }
            assertThat(pool.isBroken()).isFalse();
        }
    }

    /** A worker that runs out of memory (and so exits, -XX:+ExitOnOutOfMemoryError) costs only its call. */
    @Test
    void outOfMemoryFailsOnlyThatCall() {
        try (ProcessPoolExecutor pool = replacing(1).jvmArgs("-Xmx24m").build()) {
            Future<Integer> hog = pool.submit(Probes.exhaustHeap());
            Future<Long> next = pool.submit(Probes.pid());
            assertThat(hog.exception(LIMIT)).isInstanceOf(TerminatedWorkerError.class).hasMessageContaining("exited with code 3");
            assertThat(next.result(LIMIT)).isPositive();
            assertThat(pool.isBroken()).isFalse();
        }
    }

    /** A worker dying in its initializer still breaks the pool under REPLACE_WORKER: no worker could work. */
    @Test
    void deathInTheInitializerStillBreaksThePool() {
        ProcessPoolExecutor pool = replacing(1).initializer(() -> Runtime.getRuntime().halt(5)).build();
        try {
            Future<Long> f = pool.submit(Probes.pid());
            assertThat(f.exception(LIMIT)).isExactlyInstanceOf(BrokenProcessPool.class).hasMessageContaining("code 5");
            assertThat(pool.isBroken()).isTrue();
            assertThatThrownBy(() -> pool.submit(Probes.pid())).isInstanceOf(BrokenProcessPool.class);
        } finally {
            pool.shutdown(true, false);
        }
    }

    /** With an initializer that succeeded, a later death is replaced: the new worker runs the initializer too. */
    @Test
    void deathAfterTheInitializerIsReplaced() {
        try (ProcessPoolExecutor pool = replacing(1).initializer(Probes.countingInitializer()).build()) {
            assertThat(pool.submit(Probes.initState()).result(LIMIT)).startsWith("1 ");
            Future<Integer> halting = pool.submit(Probes.halt(9));
            assertThat(halting.exception(LIMIT)).isInstanceOf(TerminatedWorkerError.class);
            String[] state = pool.submit(Probes.initState()).result(LIMIT).split(" ");
            assertThat(state[0]).isEqualTo("1");
            assertThat(state[1]).isEqualTo(state[2]);
            assertThat(pool.isBroken()).isFalse();
        }
    }
}

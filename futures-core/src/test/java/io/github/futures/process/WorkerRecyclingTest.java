package io.github.futures.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.futures.Future;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import io.github.futures.spi.PoolEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Workers are recycled by used heap, idleness and task count, with a replacement started first; pools publish events. */
@Timeout(120)
class WorkerRecyclingTest {

    private static final Duration LIMIT = Duration.ofSeconds(60);

    /** Holds what the leaking call leaks, in the worker JVM. */
    static final class Leak {
        static final List<byte[]> HELD = new ArrayList<>();

        private Leak() {
        }
    }

    /** Leaks 8 MiB per call and returns the worker's pid. */
    static SerializableCallable<Long> leak() {
        return () -> {
            Leak.HELD.add(new byte[8 << 20]);
            return ProcessHandle.current().pid();
        };
    }

    /** A leaking call is recycled by maxWorkerMemory: the worker's pid changes, every call succeeds. */
    @Test
    void maxWorkerMemoryReplacesALeakingWorker() {
        try (ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1).jvmArgs("-Xmx96m")
                .maxWorkerMemory(20L << 20).build()) {
            List<Long> pids = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                pids.add(pool.submit(leak()).result(LIMIT));
            }
            assertThat(new HashSet<>(pids)).as("worker pids").hasSizeGreaterThanOrEqualTo(2);
            assertThat(pool.taskStats().replacedCounts().get("memory")).isGreaterThanOrEqualTo(1L);
            assertThat(pool.isBroken()).isFalse();
        }
    }

    /** Idle workers above minWorkers exit after idleTimeout; the pool still serves calls afterwards. */
    @Test
    void idleWorkersExitAfterIdleTimeoutDownToMinWorkers() throws Exception {
        CountDownLatch retired = new CountDownLatch(2);
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        try (ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(3).minWorkers(1)
                .idleTimeout(Duration.ofMillis(500)).build()) {
            pool.taskStats().addEventListener(e -> {
                events.add(e);
                if (e.type() == PoolEvent.Type.WORKER_RETIRED) {
                    retired.countDown();
                }
            });
            assertThat(pool.prestartWorkers()).isEqualTo(3);
            assertThat(retired.await(LIMIT.toSeconds(), TimeUnit.SECONDS)).as("two idle workers retired").isTrue();
            for (PoolEvent e : events) {
                if (e.type() == PoolEvent.Type.WORKER_RETIRED) {
                    assertThat(e.reason()).isEqualTo("idle");
                    ProcessHandle.of(e.pid()).ifPresent(h -> h.onExit().join());
                }
            }
            assertThat(pool.submit(Probes.pid()).result(LIMIT)).isPositive();
            assertThat(events).filteredOn(e -> e.type() == PoolEvent.Type.WORKER_RETIRED).hasSize(2);
            assertThat(pool.isBroken()).isFalse();
        }
    }

    /** maxTasksPerChild starts the replacement while the old worker finishes its calls; all calls succeed. */
    @Test
    void maxTasksPerChildReplacesWorkersAndEveryCallSucceeds() {
        try (ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(2).maxTasksPerChild(5).build()) {
            List<Future<Long>> fs = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                fs.add(pool.submit(Probes.pid()));
            }
            Set<Long> pids = new HashSet<>();
            for (Future<Long> f : fs) {
                pids.add(f.result(LIMIT));
            }
            assertThat(pids).hasSizeGreaterThanOrEqualTo(8);
            assertThat(pool.taskStats().replacedCounts().get("max-tasks")).isGreaterThanOrEqualTo(7L);
        }
    }

    /** A pool publishes its workers' start and readiness, shutdown and termination. */
    @Test
    void poolEventsTellTheWorkersLifeAndTheShutdown() throws Exception {
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        CountDownLatch terminated = new CountDownLatch(1);
        ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1).build();
        pool.taskStats().addEventListener(e -> {
            events.add(e);
            if (e.type() == PoolEvent.Type.TERMINATED) {
                terminated.countDown();
            }
        });
        long pid = pool.submit(Probes.pid()).result(LIMIT);
        pool.shutdown(true, false);
        assertThat(terminated.await(LIMIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(events).extracting(PoolEvent::type).containsSubsequence(PoolEvent.Type.WORKER_STARTED,
                PoolEvent.Type.WORKER_READY, PoolEvent.Type.SHUTDOWN_STARTED, PoolEvent.Type.TERMINATED);
        assertThat(events).filteredOn(e -> e.type() == PoolEvent.Type.WORKER_READY).singleElement()
                .satisfies(e -> assertThat(e.pid()).isEqualTo(pid)).satisfies(e -> assertThat(e.detail()).matches("started in \\d+ ms"));
    }

    /** The new options appear in the snapshot's configuration, with CPython's defaults; no limit shows as "none", not 0. */
    @Test
    void snapshotConfigShowsTheRecoveryOptions() {
        try (ProcessPoolExecutor defaults = new ProcessPoolExecutor(1);
             ProcessPoolExecutor set = ProcessPoolExecutor.builder().maxWorkers(2).callTimeout(Duration.ofSeconds(5))
                     .onWorkerDeath(io.github.futures.WorkerDeathPolicy.REPLACE_WORKER).maxWorkerMemory(1L << 30)
                     .idleTimeout(Duration.ofMinutes(1)).minWorkers(1).build()) {
            assertThat(defaults.snapshot().config()).contains(Map.entry("callTimeout", "none"),
                    Map.entry("onWorkerDeath", "BREAK_POOL"), Map.entry("maxWorkerMemory", "none"),
                    Map.entry("maxTasksPerChild", "none"),
                    Map.entry("idleTimeout", "none"), Map.entry("minWorkers", 0));
            assertThat(set.snapshot().config()).contains(Map.entry("callTimeout", "5s"),
                    Map.entry("onWorkerDeath", "REPLACE_WORKER"), Map.entry("maxWorkerMemory", 1L << 30),
                    Map.entry("idleTimeout", "60s"), Map.entry("minWorkers", 1));
        }
    }

    /** Bad recovery options are refused with a message naming the option. */
    @Test
    void badRecoveryOptionsAreRefused() {
        assertThatThrownBy(() -> ProcessPoolExecutor.builder().callTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("callTimeout");
        assertThatThrownBy(() -> ProcessPoolExecutor.builder().idleTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("idleTimeout");
        assertThatThrownBy(() -> ProcessPoolExecutor.builder().maxWorkerMemory(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxWorkerMemory");
        assertThatThrownBy(() -> ProcessPoolExecutor.builder().minWorkers(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minWorkers");
        assertThatThrownBy(() -> ProcessPoolExecutor.builder().maxWorkers(2).minWorkers(3).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minWorkers (3)");
        assertThatThrownBy(() -> ProcessPoolExecutor.builder().onWorkerDeath(null))
                .isInstanceOf(NullPointerException.class);
    }
}

package io.github.futures.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.futures.BrokenProcessPool;
import io.github.futures.Future;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.spi.ExecutorSnapshot;
import io.github.futures.spi.PoolEvent;
import io.github.futures.spi.Rebuildable;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A broken process pool can be rebuilt: fresh workers, calls accepted again, the failed futures stay failed. */
@Timeout(120)
class PoolRebuildTest {

    private static final Duration LIMIT = Duration.ofSeconds(60);

    /** rebuild() turns a broken pool into a RUNNING one with a fresh worker; what the breakage failed stays failed. */
    @Test
    void rebuildMakesABrokenPoolRunAgain() {
        List<PoolEvent> events = new CopyOnWriteArrayList<>();
        try (ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1).build()) {
            pool.taskStats().addEventListener(events::add);
            long pid = pool.submit(Probes.pid()).result(LIMIT);
            Future<Integer> halting = pool.submit(Probes.halt(7));
            assertThat(halting.exception(LIMIT)).isInstanceOf(BrokenProcessPool.class);
            assertThat(pool.isBroken()).isTrue();
            assertThat(pool).isInstanceOf(Rebuildable.class);

            assertThat(pool.rebuild()).isTrue();

            assertThat(pool.isBroken()).isFalse();
            assertThat(pool.snapshot().state()).isEqualTo(ExecutorSnapshot.RUNNING);
            assertThat(pool.submit(Probes.pid()).result(LIMIT)).isPositive().isNotEqualTo(pid);
            assertThat(halting.exception()).as("still failed").isInstanceOf(BrokenProcessPool.class);
            assertThat(events).extracting(PoolEvent::type).containsSubsequence(PoolEvent.Type.POOL_BROKEN,
                    PoolEvent.Type.POOL_REBUILT);
            assertThat(pool.rebuild()).as("not broken any more").isFalse();
        }
    }

    /** rebuild() of a pool that is not broken returns false; after shutdown it throws IllegalStateException. */
    @Test
    void rebuildOfAHealthyOrShutDownPool() {
        ProcessPoolExecutor pool = new ProcessPoolExecutor(1);
        assertThat(pool.rebuild()).isFalse();
        pool.shutdown(true, false);
        assertThatThrownBy(pool::rebuild).isInstanceOf(IllegalStateException.class).hasMessageContaining("shutdown");
    }
}

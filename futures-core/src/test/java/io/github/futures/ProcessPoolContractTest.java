package io.github.futures;

import io.github.futures.contract.ExecutorContractTests;
import java.time.Duration;
import org.junit.jupiter.api.Timeout;

/** Runs the executor contract suite against {@link ProcessPoolExecutor}, with real worker JVMs. */
@Timeout(120)
class ProcessPoolContractTest extends ExecutorContractTests {

    @Override
    protected Executor newExecutor(int maxWorkers) {
        return new ProcessPoolExecutor(maxWorkers);
    }

    @Override
    protected boolean supportsInitializer() {
        return true;
    }

    @Override
    protected Executor newExecutor(int maxWorkers, SerializableRunnable initializer) {
        return ProcessPoolExecutor.builder().maxWorkers(maxWorkers).initializer(initializer).build();
    }

    /**
     * A busy worker is sent one more call ahead of its result, as CPython's call queue holds one extra;
     * under a backlog, up to {@link ProcessPool#DEEP_IN_FLIGHT} in all.
     */
    @Override
    protected int callsDispatchedAhead() {
        return ProcessPool.DEEP_IN_FLIGHT - 1;
    }

    /** Long enough for a trivial call on a warm worker on a loaded machine. */
    @Override
    protected Duration expectedTimeout() {
        return Duration.ofMillis(1500);
    }
}

package io.github.futures;

import io.github.futures.contract.ExecutorContractTests;
import org.junit.jupiter.api.Timeout;

/** Runs the executor contract suite against {@link ThreadPoolExecutor}. */
@Timeout(60)
class ThreadPoolContractTest extends ExecutorContractTests {

    @Override
    protected Executor newExecutor(int maxWorkers) {
        return new ThreadPoolExecutor(maxWorkers);
    }

    @Override
    protected boolean supportsInitializer() {
        return true;
    }

    @Override
    protected Executor newExecutor(int maxWorkers, SerializableRunnable initializer) {
        return new ThreadPoolExecutor(maxWorkers, "contract", initializer);
    }
}

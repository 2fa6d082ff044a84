package io.github.futures;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.futures.contract.ExecutorContractTests;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/** Runs the executor contract suite against a {@link ThreadPoolExecutor} on virtual threads (JDK 21+ only). */
@Timeout(60)
class VirtualThreadPoolContractTest extends ExecutorContractTests {

    @BeforeAll
    static void onlyWithVirtualThreads() {
        assumeTrue(Runtime.version().feature() >= 21, "virtual threads need JDK 21+");
    }

    @Override
    protected Executor newExecutor(int maxWorkers) {
        return ThreadPoolExecutor.builder().maxWorkers(maxWorkers).virtualThreads(true).build();
    }

    @Override
    protected boolean supportsInitializer() {
        return true;
    }

    @Override
    protected Executor newExecutor(int maxWorkers, SerializableRunnable initializer) {
        return ThreadPoolExecutor.builder().maxWorkers(maxWorkers).threadNamePrefix("vcontract").initializer(initializer)
                .virtualThreads(true).build();
    }
}

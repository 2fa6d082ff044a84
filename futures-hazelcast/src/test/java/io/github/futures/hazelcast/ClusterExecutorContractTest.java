package io.github.futures.hazelcast;

import io.github.futures.Executor;
import io.github.futures.SerializableRunnable;
import io.github.futures.contract.ExecutorContractTests;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The executor contract of futures-core, run against {@link ClusterExecutor} on a real three-member
 * cluster (this JVM and two child JVMs on 127.0.0.1): calls run on all three, and the suite's gates
 * and signals reach them across JVMs. {@code maxWorkers} is the executor's in-flight limit, so calls
 * beyond it wait locally and are cancellable, and none is dispatched ahead. The initializer runs
 * once per member thread before that thread's first call of the executor.
 */
class ClusterExecutorContractTest extends ExecutorContractTests {

    @RegisterExtension
    static final ClusterPerClass cluster = new ClusterPerClass(2);

    @Override
    protected Executor newExecutor(int maxWorkers) {
        return ClusterExecutor.builder().hazelcastInstance(cluster.get().hz).maxWorkers(maxWorkers).build();
    }

    @Override
    protected boolean supportsInitializer() {
        return true;
    }

    @Override
    protected Executor newExecutor(int maxWorkers, SerializableRunnable initializer) {
        return ClusterExecutor.builder().hazelcastInstance(cluster.get().hz).maxWorkers(maxWorkers).initializer(initializer).build();
    }

    /** A round trip to another JVM over loopback on a busy machine: give trivial calls a second. */
    @Override
    protected Duration expectedTimeout() {
        return Duration.ofSeconds(1);
    }
}

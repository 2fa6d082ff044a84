package io.github.futures.hazelcast;

import io.github.futures.Executor;
import io.github.futures.contract.ExecutorContractTests;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/**
 * The executor contract of futures-core, run against {@link ClusterExecutor} on a real three-member
 * cluster (this JVM and two child JVMs on 127.0.0.1): calls run on all three, and the suite's gates
 * and signals reach them across JVMs. {@code maxWorkers} is the executor's in-flight limit, so calls
 * beyond it wait locally and are cancellable, and none is dispatched ahead.
 *
 * <p>The initializer tests do not apply: a cluster executor has no workers of its own to initialize
 * (the members' threads belong to Hazelcast and are shared by every executor on the cluster), so
 * {@link #supportsInitializer()} keeps its default {@code false} and those two tests are skipped by
 * the suite's own assumption.
 */
class ClusterExecutorContractTest extends ExecutorContractTests {

    private static LocalCluster cluster;

    @BeforeAll
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    static void startCluster() throws Exception {
        cluster = new LocalCluster(2);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    protected Executor newExecutor(int maxWorkers) {
        return ClusterExecutor.builder().hazelcastInstance(cluster.hz).maxWorkers(maxWorkers).build();
    }

    /** A round trip to another JVM over loopback on a busy machine: give trivial calls a second. */
    @Override
    protected Duration expectedTimeout() {
        return Duration.ofSeconds(1);
    }
}

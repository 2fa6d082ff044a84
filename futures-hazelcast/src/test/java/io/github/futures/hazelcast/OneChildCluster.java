package io.github.futures.hazelcast;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/**
 * Base of the test classes that need a real two-member cluster (this JVM and one child JVM), started
 * once per test class and closed after it, and executors that send their calls to the child's member
 * only, so that what a call carries crosses a JVM boundary.
 */
abstract class OneChildCluster {

    /** The cluster of the running test class. */
    static LocalCluster cluster;

    @BeforeAll
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    static void startCluster() throws Exception {
        cluster = new LocalCluster(1);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    /** Calls run on the child JVM's member only: what they carry crosses a JVM boundary. */
    static ClusterExecutor.Builder onChild() {
        return ClusterExecutor.builder().hazelcastInstance(cluster.hz).memberSelector(m -> !m.localMember());
    }
}

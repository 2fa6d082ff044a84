package io.github.futures.hazelcast;

import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Base of the test classes that need a real two-member cluster (this JVM and one child JVM), started
 * once per test class and closed after it, and executors that send their calls to the child's member
 * only, so that what a call carries crosses a JVM boundary.
 */
abstract class OneChildCluster {

    /** The cluster of the running test class. */
    @RegisterExtension
    static final ClusterPerClass cluster = new ClusterPerClass(1);

    /** Calls run on the child JVM's member only: what they carry crosses a JVM boundary. */
    static ClusterExecutor.Builder onChild() {
        return ClusterExecutor.builder().hazelcastInstance(cluster.get().hz).memberSelector(m -> !m.localMember());
    }
}

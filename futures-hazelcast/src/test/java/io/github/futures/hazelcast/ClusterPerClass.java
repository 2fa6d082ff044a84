package io.github.futures.hazelcast;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real {@link LocalCluster} started once before a test class's tests and closed after them: registered
 * as a {@code static} {@code @RegisterExtension} field, so that classes with another base class (the
 * contract suite) share it too. One static field is one cluster for the class; the bound on its
 * start stands in for a {@code @Timeout} on a {@code @BeforeAll} method.
 */
final class ClusterPerClass implements BeforeAllCallback, AfterAllCallback {

    /** How long starting the cluster may take: child JVMs joining on a loaded machine. */
    private static final Duration START = Duration.ofSeconds(180);

    private final int children;

    private LocalCluster cluster;

    /** A cluster of this JVM's member and {@code children} members in child JVMs. */
    ClusterPerClass(int children) {
        this.children = children;
    }

    /** The running cluster; only between the class's first and last test. */
    LocalCluster get() {
        if (this.cluster == null) {
            throw new IllegalStateException("the cluster runs only while its test class runs");
        }
        return this.cluster;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        this.cluster = assertTimeoutPreemptively(START, () -> new LocalCluster(this.children),
                () -> "a cluster of " + (this.children + 1) + " members did not start within " + START);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (this.cluster != null) {
            this.cluster.close();
            this.cluster = null;
        }
    }
}

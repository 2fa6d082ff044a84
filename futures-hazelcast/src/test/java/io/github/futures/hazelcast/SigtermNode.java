package io.github.futures.hazelcast;

import com.hazelcast.core.Hazelcast;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A cluster node in a child JVM for the SIGTERM test:
 * {@code SigtermNode <executor|plain> <clusterName> <port> <member,...>}. In {@code executor} mode it
 * is a {@link ClusterExecutor} with its own embedded member, as an application node is; in
 * {@code plain} mode a bare Hazelcast member with Hazelcast's defaults (its own shutdown hook on),
 * for comparison. Prints {@code READY <pid> <port>} once its member is up and {@code EXITING} from
 * a JVM shutdown hook of its own; serves until the JVM is stopped. It halts if its parent process
 * ends, so that it never outlives the test JVM.
 */
public final class SigtermNode {

    private SigtermNode() {
    }

    public static void main(String[] args) throws InterruptedException {
        String mode = args[0];
        String clusterName = args[1];
        int port = Integer.parseInt(args[2]);
        List<String> members = Arrays.asList(args[3].split(","));
        int actualPort;
        if (mode.equals("executor")) {
            ClusterExecutor executor = ClusterExecutor.builder().clusterName(clusterName).port(port).members(members)
                    .memberPoolSize(2).build();
            actualPort = executor.hazelcastInstance().getCluster().getLocalMember().getAddress().getPort();
        } else {
            actualPort = Hazelcast.newHazelcastInstance(ClusterNode.config(clusterName, ClusterNode.DEFAULT_INTERFACE, port,
                    members, ClusterNode.DEFAULT_EXECUTOR_NAME, 2)).getCluster().getLocalMember().getAddress().getPort();
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("EXITING");
            System.out.flush();
        }, "sigterm-node-exiting"));
        // Never outlive the test JVM: halt when the parent process ends.
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> Runtime.getRuntime().halt(3)));
        System.out.println("READY " + ProcessHandle.current().pid() + " " + actualPort);
        System.out.flush();
        new CountDownLatch(1).await();
    }
}

package io.github.futures.hazelcast;

import com.hazelcast.core.Hazelcast;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A cluster node in a child JVM for the SIGTERM test:
 {@code SigtermNode <mode> <clusterName> <port> <member,...>}. Modes: {@code executor}, a
 * {@link ClusterExecutor} with its own embedded member, as an application node is;
 * {@code executor-no-exit-hook}, the same built with {@code endAtJvmExit(false)}; {@code node},
 * {@link ClusterNode#main}; {@code plain}, a bare Hazelcast member with Hazelcast's defaults (its
 * own shutdown hook on), for comparison. Prints {@code READY <pid> <port>} once its member is up and {@code EXITING} from
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
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("EXITING");
            System.out.flush();
        }, "sigterm-node-exiting"));
        // Never outlive the test JVM: halt when the parent process ends.
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> Runtime.getRuntime().halt(3)));
        if (mode.equals("node")) {
            System.out.println("READY " + ProcessHandle.current().pid() + " " + port);
            System.out.flush();
            ClusterNode.main(new String[] {"--cluster-name=" + clusterName, "--port=" + port,
                    "--members=" + String.join(",", members), "--pool-size=2"});
            return;
        }
        int actualPort = switch (mode) {
            case "executor", "executor-no-exit-hook" -> ClusterExecutor.builder().clusterName(clusterName).port(port)
                    .members(members).memberPoolSize(2).endAtJvmExit(mode.equals("executor")).build()
                    .hazelcastInstance().getCluster().getLocalMember().getAddress().getPort();
            case "plain" -> Hazelcast.newHazelcastInstance(ClusterNode.config(clusterName, ClusterNode.DEFAULT_INTERFACE,
                    port, members, ClusterNode.DEFAULT_EXECUTOR_NAME, 2)).getCluster().getLocalMember().getAddress().getPort();
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        };
        System.out.println("READY " + ProcessHandle.current().pid() + " " + actualPort);
        System.out.flush();
        new CountDownLatch(1).await();
    }
}

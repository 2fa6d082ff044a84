package io.github.futures.hazelcast;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;

/**
 * A cluster member in a child JVM, for tests: {@code TestMember <clusterName> <port> <member,...>}.
 * Prints {@code READY <pid> <port>} once it has joined, and exits when its standard input closes,
 * so that it never outlives the test JVM that started it.
 */
public final class TestMember {

    private TestMember() {
    }

    public static void main(String[] args) throws IOException {
        String clusterName = args[0];
        int port = Integer.parseInt(args[1]);
        List<String> members = Arrays.asList(args[2].split(","));
        Config config = config(clusterName, port, members);
        // The port was free when the test JVM chose it, a JVM start ago; on a shared machine another
        // process may have taken it since. The next free one does as well: this member joins the
        // test JVM's member, whose port is listed, and reports its own port on the READY line.
        config.getNetworkConfig().setPortAutoIncrement(true);
        HazelcastInstance hz = Hazelcast.newHazelcastInstance(config);
        System.out.println("READY " + ProcessHandle.current().pid() + " " + hz.getCluster().getLocalMember().getAddress().getPort());
        System.out.flush();
        InputStream in = System.in;
        while (in.read() >= 0) {
            // wait for the parent to close our stdin (or to die)
        }
        Runtime.getRuntime().halt(0);
    }

    static Config config(String clusterName, int port, List<String> members) {
        Config config = ClusterNode.config(clusterName, ClusterNode.DEFAULT_INTERFACE, port, members,
                ClusterNode.DEFAULT_EXECUTOR_NAME, 8);
        config.getNetworkConfig().setPortAutoIncrement(false);
        return config;
    }
}

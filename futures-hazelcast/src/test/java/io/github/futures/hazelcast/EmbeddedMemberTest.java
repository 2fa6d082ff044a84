package io.github.futures.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.github.futures.Future;
import io.github.futures.MapOptions;
import io.github.futures.spi.WorkerSnapshot;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The executor's own embedded member: its closed default configuration, joining members, leaving on shutdown. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class EmbeddedMemberTest {

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * The embedded member is loopback-only with the documented settings; a member that joins later gets
     * calls too; shutdown makes the embedded member leave, and the other member stays up.
     */
    @Test
    void embeddedMemberIsLoopbackOnlyServesJoinersAndLeavesOnShutdown() throws Exception {
        String name = "futures-embedded-" + UUID.randomUUID();
        int port = freePort();
        int otherPort = freePort();
        List<String> members = List.of("127.0.0.1:" + port, "127.0.0.1:" + otherPort);
        ClusterExecutor executor = ClusterExecutor.builder().clusterName(name).port(port).members(members)
                .memberPoolSize(3).build();
        HazelcastInstance other = null;
        try {
            HazelcastInstance own = executor.hazelcastInstance();
            Config config = own.getConfig();
            JoinConfig join = config.getNetworkConfig().getJoin();
            assertThat(config.getClusterName()).isEqualTo(name);
            assertThat(config.getNetworkConfig().getInterfaces().isEnabled()).isTrue();
            assertThat(config.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("127.0.0.1");
            assertThat(config.getProperty("hazelcast.socket.bind.any")).isEqualTo("false");
            assertThat(config.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
            assertThat(join.getMulticastConfig().isEnabled()).isFalse();
            assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
            assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
            assertThat(join.getTcpIpConfig().getMembers()).containsExactlyElementsOf(members);
            assertThat(config.getJetConfig().isEnabled()).isFalse();
            assertThat(own.getCluster().getLocalMember().getAddress().getHost()).isEqualTo("127.0.0.1");
            assertThat(own.getCluster().getLocalMember().getAddress().getPort()).isEqualTo(port);
            assertThat(executor.memberPoolSize()).isEqualTo(3);
            assertThat(executor.maxWorkers()).isEqualTo(3); // pool size x one member at start
            assertThat(executor.awaitMembers(1, Duration.ZERO)).isTrue();
            assertThat(executor.awaitMembers(2, Duration.ofMillis(50))).isFalse();

            // Plain lambdas: the Serializable* overloads are chosen, no cast needed.
            Future<Long> pid = executor.submit(() -> ProcessHandle.current().pid());
            assertThat(pid.result()).isEqualTo(ProcessHandle.current().pid());
            assertThat(executor.map((Integer x) -> x * x, List.of(1, 2, 3), MapOptions.DEFAULTS.withChunksize(2)).toList())
                    .containsExactly(1, 4, 9);

            // A second member joins after the executor started: it gets calls too.
            other = Hazelcast.newHazelcastInstance(ClusterNode.config(name, "127.0.0.1", otherPort, members,
                    ClusterNode.DEFAULT_EXECUTOR_NAME, 3));
            assertThat(other.getCluster().getMembers()).hasSize(2);
            assertThat(executor.awaitMembers(2, Duration.ofSeconds(30))).isTrue();
            List<Future<Long>> calls = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                calls.add(executor.submit(() -> ProcessHandle.current().pid()));
            }
            calls.forEach(Future::result);
            assertThat(executor.snapshot().workerDetails()).hasSize(2)
                    .allMatch(w -> w.tasksCompleted() > 0, "every member completed calls")
                    .extracting(WorkerSnapshot::name).anyMatch(n -> n.endsWith(":" + otherPort));

            executor.shutdown(true, false);
            assertThat(own.getLifecycleService().isRunning()).as("the embedded member left").isFalse();
            assertThat(other.getLifecycleService().isRunning()).as("the cluster goes on").isTrue();
        } finally {
            executor.shutdown(true, true);
            if (other != null) {
                other.getLifecycleService().terminate();
            }
        }
    }
}

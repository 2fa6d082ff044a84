package io.github.futures.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.github.futures.Future;
import io.github.futures.Futures;
import io.github.futures.contract.Gate;
import io.github.futures.contract.Signal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The default maxWorkers of a cluster executor follows the live membership, not the members present at its start. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterMaxWorkersTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    /**
     * A member that joins raises the default bound by its pool size (8 here), one that leaves lowers it: the
     * calls sent at once and the ones kept waiting locally follow the bound of the moment.
     */
    @Test
    void defaultMaxWorkersFollowsTheMembersAsTheyJoinAndLeave() throws Exception {
        List<Integer> ports = LocalCluster.freePorts(2);
        List<String> addresses = ports.stream().map(p -> "127.0.0.1:" + p).toList();
        String cluster = "futures-test-" + UUID.randomUUID();
        HazelcastInstance first = Hazelcast.newHazelcastInstance(TestMember.config(cluster, ports.get(0), addresses));
        HazelcastInstance second = null;
        Gate before = Gate.create();
        Gate after = Gate.create();
        try (Signal started = Signal.create();
             ClusterExecutor executor = ClusterExecutor.builder().hazelcastInstance(first).build()) {
            assertThat(executor.maxWorkers()).isEqualTo(8);

            second = Hazelcast.newHazelcastInstance(TestMember.config(cluster, ports.get(1), addresses));
            assertThat(executor.awaitMembers(2, WAIT)).isTrue();
            assertThat(executor.maxWorkers()).isEqualTo(16);
            List<Future<Long>> sixteen = submit(executor, 16, started, before);
            assertThat(sixteen).as("sent at once: within the bound of two members").allMatch(Future::running);
            Future<Long> waiting = executor.submit(new ClusterCalls.PidAfter(started, before));
            assertThat(waiting.running()).as("the 17th waits locally").isFalse();
            started.awaitCount(16, WAIT);

            before.open();
            assertThat(waiting.result(WAIT)).isEqualTo(ProcessHandle.current().pid());
            assertThat(Futures.wait(sixteen, WAIT).notDone()).isEmpty();
            second.shutdown();
            assertThat(executor.awaitMemberCount(1, WAIT)).isTrue();
            assertThat(executor.maxWorkers()).isEqualTo(8);
            assertThat(executor.snapshot().maxWorkers()).isEqualTo(8);

            List<Future<Long>> nine = submit(executor, 9, started, after);
            assertThat(nine.subList(0, 8)).as("sent at once: within the bound of one member").allMatch(Future::running);
            assertThat(nine.get(8).running()).as("the 9th waits locally").isFalse();
            after.open();
            assertThat(Futures.wait(nine, WAIT).notDone()).isEmpty();
            assertThat(nine).allMatch(f -> f.exception() == null);
        } finally {
            before.open();
            after.open();
            if (second != null) {
                second.shutdown();
            }
            first.shutdown();
        }
    }

    private static List<Future<Long>> submit(ClusterExecutor executor, int n, Signal started, Gate gate) {
        List<Future<Long>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            futures.add(executor.submit(new ClusterCalls.PidAfter(started, gate)));
        }
        return futures;
    }
}

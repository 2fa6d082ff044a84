package io.github.futures.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.MemberLeftException;
import io.github.futures.Future;
import io.github.futures.Futures;
import io.github.futures.contract.Gate;
import io.github.futures.contract.Signal;
import io.github.futures.spi.ExecutorSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code kill -9} of a member while it runs calls: the test JVM and three child members; each test
 * kills one child (SIGKILL, {@link Process#destroyForcibly()}) while every member holds calls at a gate.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MemberLossTest {

    /** "Promptly": a lost member's calls must fail within this long of the kill. */
    private static final Duration PROMPTLY = Duration.ofSeconds(15);

    @RegisterExtension
    static final ClusterPerClass cluster = new ClusterPerClass(3);

    /**
     * Submits calls held at a gate, {@code perMember} for each member (the executor sends each call
     * to the least busy member, so they spread evenly), and waits until all of them run. Retried
     * calls fire {@code started} again: keep it open for the whole test.
     */
    private static List<Future<Long>> submitHeldCalls(ClusterExecutor executor, Gate gate, Signal started, int perMember) {
        List<Member> members = executor.members();
        List<Future<Long>> futures = new ArrayList<>();
        for (int i = 0; i < perMember * members.size(); i++) {
            futures.add(executor.submit(new ClusterCalls.PidAfter(started, gate)));
        }
        started.awaitCount(perMember * members.size());
        return futures;
    }

    private static LocalCluster.Child liveChild() {
        return cluster.get().children.stream().filter(c -> c.process().isAlive()).findFirst().orElseThrow();
    }

    private static Set<Long> livePids() {
        Set<Long> pids = new HashSet<>();
        pids.add(ProcessHandle.current().pid());
        cluster.get().children.stream().filter(c -> c.process().isAlive()).forEach(c -> pids.add(c.pid()));
        return pids;
    }

    /**
     * At-most-once (the default): the killed member's calls fail promptly with MemberLeftException
     * naming it; the other calls complete; the executor is not broken and later calls succeed.
     */
    @Test
    void killedMembersCallsFailPromptlyNamingItAndTheRestComplete() throws Exception {
        Gate gate = Gate.create();
        int perMember = 3;
        try (Signal started = Signal.create();
             ClusterExecutor executor = ClusterExecutor.builder().hazelcastInstance(cluster.get().hz).build()) {
            int membersBefore = executor.members().size();
            List<Future<Long>> futures = submitHeldCalls(executor, gate, started, perMember);
            LocalCluster.Child victim = liveChild();
            String victimAddress = "127.0.0.1]:" + victim.port();

            long killedAt = System.nanoTime();
            victim.process().destroyForcibly(); // SIGKILL
            List<Future<Long>> failed = new ArrayList<>();
            for (Future<Long> f : Futures.asCompleted(futures, Duration.ofSeconds(60))) {
                failed.add(f); // only the victim's calls can finish: the others wait at the gate
                if (failed.size() == perMember) {
                    break;
                }
            }
            Duration detection = Duration.ofNanos(System.nanoTime() - killedAt);
            System.out.println("calls of the killed member failed " + detection.toMillis() + " ms after kill -9");
            assertThat(detection).isLessThan(PROMPTLY);
            for (Future<Long> f : failed) {
                assertThat(f.exception()).isInstanceOf(MemberLeftException.class)
                        .hasMessageContaining(victimAddress);
            }

            List<Future<Long>> others = new ArrayList<>(futures);
            others.removeAll(failed);
            assertThat(others).hasSize(perMember * (membersBefore - 1)).noneMatch(Future::done);
            gate.open();
            Set<Long> alive = livePids();
            for (Future<Long> f : others) {
                assertThat(f.result(Duration.ofSeconds(30))).isIn(alive);
            }

            assertThat(executor.members()).hasSize(membersBefore - 1);
            List<Future<Long>> later = new ArrayList<>();
            for (int i = 0; i < 4 * (membersBefore - 1); i++) {
                later.add(executor.submit(new ClusterCalls.Pid()));
            }
            assertThat(later.stream().map(Future::result).collect(Collectors.toSet()))
                    .containsExactlyInAnyOrderElementsOf(alive);
            ExecutorSnapshot s = executor.snapshot();
            assertThat(s.state()).isEqualTo(ExecutorSnapshot.RUNNING);
            assertThat(s.failed()).isEqualTo(perMember);
            assertThat(s.config()).containsEntry("memberLosses", (long) perMember).containsEntry("retries", 0L);
        }
    }

    /** With retryOnMemberLoss, the killed member's calls run once more on the members that remain. */
    @Test
    void retryOnMemberLossSendsLostCallsToAnotherMember() throws Exception {
        Gate gate = Gate.create();
        int perMember = 2;
        try (Signal started = Signal.create();
             ClusterExecutor executor = ClusterExecutor.builder().hazelcastInstance(cluster.get().hz)
                .retryOnMemberLoss(true).build()) {
            List<Future<Long>> futures = submitHeldCalls(executor, gate, started, perMember);
            LocalCluster.Child victim = liveChild();
            victim.process().destroyForcibly();
            assertThat(victim.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
            cluster.get().awaitMembers(futures.size() / perMember - 1);
            gate.open();
            Set<Long> alive = livePids();
            for (Future<Long> f : futures) {
                assertThat(f.result(Duration.ofSeconds(30))).isIn(alive);
            }
            assertThat(executor.snapshot().config()).containsEntry("retries", (long) perMember);
        }
    }
}

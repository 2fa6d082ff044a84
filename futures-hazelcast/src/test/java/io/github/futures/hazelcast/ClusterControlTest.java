package io.github.futures.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.github.futures.Future;
import io.github.futures.Futures;
import io.github.futures.contract.Gate;
import io.github.futures.contract.Signal;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** An operator's controls on a cluster executor: cancelling the calls that wait, and resizing the in-flight bound. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterControlTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final long ME = ProcessHandle.current().pid();

    private static final String CLUSTER = "futures-test-" + UUID.randomUUID();
    private static List<Integer> ports;
    private static List<String> addresses;
    private static HazelcastInstance member;

    @BeforeAll
    static void startMember() throws IOException {
        ports = LocalCluster.freePorts(2);
        addresses = ports.stream().map(p -> "127.0.0.1:" + p).toList();
        member = Hazelcast.newHazelcastInstance(TestMember.config(CLUSTER, ports.get(0), addresses));
    }

    @AfterAll
    static void stopMember() {
        if (member != null) {
            member.shutdown();
        }
    }

    private static ClusterExecutor.Builder onThisMember() {
        return ClusterExecutor.builder().hazelcastInstance(member).memberSelector(Member::localMember);
    }

    private static List<Future<Long>> submit(ClusterExecutor executor, int n, Signal started, Gate gate) {
        List<Future<Long>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            futures.add(executor.submit(new ClusterCalls.PidAfter(started, gate)));
        }
        return futures;
    }

    /** cancelPending cancels the calls still waiting locally, counts only those it cancelled, and leaves the sent ones running. */
    @Test
    void cancelPendingCancelsTheWaitingCallsAndLeavesTheRunningOnes() throws Exception {
        Gate gate = Gate.create();
        ClusterExecutor executor = onThisMember().maxWorkers(2).build();
        try (Signal started = Signal.create()) {
            List<Future<Long>> running = submit(executor, 2, started, gate);
            started.awaitCount(2, WAIT);
            List<Future<Long>> waiting = submit(executor, 4, started, gate);
            assertThat(waiting.get(0).cancel()).as("cancelled by its owner before").isTrue();

            assertThat(executor.cancelPending()).isEqualTo(3);

            assertThat(waiting).allMatch(Future::cancelled);
            assertThat(running).allMatch(Future::running);
            assertThat(executor.cancelPending()).as("nothing waits anymore").isZero();
            gate.open();
            for (Future<Long> f : running) {
                assertThat(f.result(WAIT)).isEqualTo(ME);
            }
            assertThat(executor.submit(new ClusterCalls.Pid()).result(WAIT)).as("the executor still serves").isEqualTo(ME);
            assertThat(executor.snapshot().cancelled()).isEqualTo(4);
        } finally {
            gate.open();
            executor.shutdown(true, true);
        }
    }

    /** cancelPending racing shutdown(cancelFutures): each waiting call is cancelled once, the running one completes, no call is left. */
    @Test
    void cancelPendingRacingShutdownEndsEveryCallOnce() throws Exception {
        Gate gate = Gate.create();
        ClusterExecutor executor = onThisMember().maxWorkers(1).build();
        try (Signal started = Signal.create()) {
            Future<Long> running = executor.submit(new ClusterCalls.PidAfter(started, gate));
            started.awaitCount(1, WAIT);
            List<Future<Long>> waiting = submit(executor, 200, started, gate);
            List<Future<Long>> all = new ArrayList<>(waiting);
            all.add(running);
            AtomicInteger endings = new AtomicInteger();
            CountDownLatch allEnded = new CountDownLatch(all.size());
            List<AtomicInteger> perFuture = new ArrayList<>();
            for (Future<Long> f : all) {
                AtomicInteger n = new AtomicInteger();
                perFuture.add(n);
                f.addDoneCallback(done -> {
                    n.incrementAndGet();
                    endings.incrementAndGet();
                    allEnded.countDown();
                });
            }
            CountDownLatch go = new CountDownLatch(1);
            AtomicInteger cancelledByControl = new AtomicInteger(-1);
            Thread operator = new Thread(() -> {
                awaitUninterruptibly(go);
                cancelledByControl.set(executor.cancelPending());
            }, "operator");
            operator.start();
            go.countDown();
            executor.shutdown(false, true);
            operator.join(WAIT.toMillis());
            assertThat(operator.isAlive()).isFalse();

            assertThat(waiting).allMatch(Future::cancelled);
            assertThat(cancelledByControl.get()).isBetween(0, 200);
            assertThat(running.running()).isTrue();
            gate.open();
            assertThat(running.result(WAIT)).isEqualTo(ME);
            assertThat(executor.awaitTermination(WAIT)).isTrue();
            assertThat(Futures.wait(all, WAIT).notDone()).isEmpty();
            // A future's done callbacks run after its waiters are woken: wait for them, then count.
            assertThat(allEnded.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            assertThat(endings.get()).isEqualTo(201);
            assertThat(perFuture).allMatch(n -> n.get() == 1);
            assertThat(executor.snapshot().cancelled()).isEqualTo(200);
        } finally {
            gate.open();
            executor.shutdown(true, true);
        }
    }

    /** Growing maxWorkers sends the waiting calls at once, and the snapshot and its configuration show the new bound. */
    @Test
    void growingMaxWorkersSendsTheWaitingCallsAtOnce() throws Exception {
        Gate gate = Gate.create();
        ClusterExecutor executor = onThisMember().maxWorkers(1).build();
        try (Signal started = Signal.create()) {
            List<Future<Long>> calls = submit(executor, 4, started, gate);
            started.awaitCount(1, WAIT);
            assertThat(calls.subList(1, 4)).noneMatch(Future::running);

            executor.setMaxWorkers(4);

            assertThat(calls).allMatch(Future::running);
            started.awaitCount(4, WAIT);
            assertThat(executor.maxWorkers()).isEqualTo(4);
            assertThat(executor.snapshot().maxWorkers()).isEqualTo(4);
            assertThat(executor.snapshot().config()).containsEntry("maxWorkers", 4);
            gate.open();
            for (Future<Long> f : calls) {
                assertThat(f.result(WAIT)).isEqualTo(ME);
            }
        } finally {
            gate.open();
            executor.shutdown(true, true);
        }
    }

    /**
     * Shrinking maxWorkers lets the calls in flight finish, then keeps no more than the new bound in flight;
     * every call succeeds.
     */
    @Test
    void shrinkingMaxWorkersBoundsTheCallsInFlightAndLosesNoCall() throws Exception {
        Gate first = Gate.create();
        Gate second = Gate.create();
        ClusterExecutor executor = onThisMember().maxWorkers(4).build();
        try (Signal startedFirst = Signal.create(); Signal startedSecond = Signal.create()) {
            List<Future<Long>> inFlight = submit(executor, 4, startedFirst, first);
            startedFirst.awaitCount(4, WAIT);
            List<Future<Long>> later = submit(executor, 6, startedSecond, second);

            executor.setMaxWorkers(2);

            assertThat(executor.maxWorkers()).isEqualTo(2);
            assertThat(inFlight).as("running calls are left alone").allMatch(Future::running);
            assertThat(later).noneMatch(Future::running);
            first.open();
            for (Future<Long> f : inFlight) {
                assertThat(f.result(WAIT)).isEqualTo(ME);
            }
            startedSecond.awaitCount(2, WAIT);
            assertThat(later.stream().filter(Future::running).count()).as("in flight under the new bound").isEqualTo(2);
            assertThat(later.stream().filter(f -> !f.done()).count()).isEqualTo(6);
            second.open();
            for (Future<Long> f : later) {
                assertThat(f.result(WAIT)).isEqualTo(ME);
            }
            assertThat(executor.snapshot().succeeded()).isEqualTo(10);
        } finally {
            first.open();
            second.open();
            executor.shutdown(true, true);
        }
    }

    /** A bound set by setMaxWorkers stays fixed when a member joins, where the default would have grown with it. */
    @Test
    void maxWorkersSetAtRunTimeNoLongerFollowsTheMembers() throws Exception {
        HazelcastInstance second = null;
        try (ClusterExecutor executor = ClusterExecutor.builder().hazelcastInstance(member).build()) {
            assertThat(executor.maxWorkers()).isEqualTo(8);
            executor.setMaxWorkers(3);
            second = Hazelcast.newHazelcastInstance(TestMember.config(CLUSTER, ports.get(1), addresses));
            assertThat(executor.awaitMembers(2, WAIT)).isTrue();
            assertThat(executor.maxWorkers()).isEqualTo(3);
            second.shutdown();
            assertThat(executor.awaitMemberCount(1, WAIT)).isTrue();
            assertThat(executor.maxWorkers()).isEqualTo(3);
        } finally {
            if (second != null) {
                second.shutdown();
            }
        }
    }

    /** maxWorkers below 1 is refused with a message naming the rule, after shutdown resizing is refused, and thread dumps are not supported. */
    @Test
    void invalidMaxWorkersAndThreadDumpsAreRefused() {
        ClusterExecutor executor = onThisMember().maxWorkers(2).build();
        try {
            assertThatThrownBy(() -> executor.setMaxWorkers(0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("maxWorkers must be at least 1").hasMessageContaining("got 0");
            assertThatThrownBy(() -> executor.setMaxWorkers(-3)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("got -3");
            assertThat(executor.maxWorkers()).isEqualTo(2);
            assertThatThrownBy(executor::threadDump).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("not supported for cluster pools");
            executor.shutdown(true, false);
            assertThatThrownBy(() -> executor.setMaxWorkers(3)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("after shutdown");
            assertThat(executor.cancelPending()).isZero();
        } finally {
            executor.shutdown(true, true);
        }
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

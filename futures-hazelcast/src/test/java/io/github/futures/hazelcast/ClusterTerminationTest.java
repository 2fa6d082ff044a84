package io.github.futures.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent.LifecycleState;
import io.github.futures.CancelledError;
import io.github.futures.Future;
import io.github.futures.SerializableCallable;
import io.github.futures.contract.Gate;
import io.github.futures.contract.Signal;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How a cluster executor ends (the spi {@code Terminable} contract), and how the member it owns
 * leaves: never by Hazelcast's own shutdown hook, and only after the calls it serves have ended.
 * Two members in this JVM: the executor's own, and a plain one whose executor sends calls to it.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClusterTerminationTest {

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * Two members in this JVM: {@link #owner}'s own ({@link #own}) and a plain one ({@link #other}),
     * whose executor {@link #client} runs one call ({@link #served}) on the owner's member; when the
     * constructor returns, that call has started and waits at {@link #gate}. Closing opens the gate,
     * shuts both executors down and terminates the plain member.
     */
    private static final class OwnerServingACall implements AutoCloseable {
        final Gate gate = Gate.create();
        final Signal started = Signal.create();
        final int otherPort;
        final ClusterExecutor owner;
        final HazelcastInstance own;
        HazelcastInstance other;
        ClusterExecutor client;
        Future<Long> served;

        OwnerServingACall(String clusterNamePrefix) throws IOException {
            String name = clusterNamePrefix + UUID.randomUUID();
            int port = freePort();
            otherPort = freePort();
            List<String> members = List.of("127.0.0.1:" + port, "127.0.0.1:" + otherPort);
            owner = ClusterExecutor.builder().clusterName(name).port(port).members(members).build();
            own = owner.hazelcastInstance();
            try {
                other = Hazelcast.newHazelcastInstance(ClusterNode.config(name, "127.0.0.1", otherPort, members,
                        ClusterNode.DEFAULT_EXECUTOR_NAME, 2));
                Member ownMember = own.getCluster().getLocalMember();
                client = ClusterExecutor.builder().hazelcastInstance(other)
                        .memberSelector(m -> m.getUuid().equals(ownMember.getUuid())).build();
                assertThat(client.awaitMembers(1, Duration.ofSeconds(30))).isTrue();
                served = client.submit(new ClusterCalls.PidAfter(started, gate));
                started.awaitCount(1);
            } catch (RuntimeException | Error e) {
                close();
                throw e;
            }
        }

        @Override
        public void close() {
            gate.open();
            if (client != null) {
                client.close();
            }
            started.close();
            owner.shutdown(true, true);
            if (other != null) {
                other.getLifecycleService().terminate();
            }
        }
    }

    /** An owned member has Hazelcast's JVM shutdown hook off, even if the configuration customizer turned it on. */
    @Test
    void ownedMemberHasHazelcastsShutdownHookOff() throws Exception {
        ClusterExecutor executor = ClusterExecutor.builder().clusterName("futures-hook-" + UUID.randomUUID())
                .port(freePort()).configCustomizer(c -> c.setProperty("hazelcast.shutdownhook.enabled", "true")).build();
        try {
            assertThat(executor.hazelcastInstance().getConfig().getProperty("hazelcast.shutdownhook.enabled")).isEqualTo("false");
        } finally {
            executor.shutdown(true, true);
        }
        assertThat(executor.hazelcastInstance().getLifecycleService().isRunning()).isFalse();
    }

    /**
     * After shutdown, an owned member that still runs another member's call stays until that call has
     * ended and its value reached the caller; then it leaves and awaitTermination returns true.
     */
    @Test
    void ownedMemberLeavesOnlyAfterTheCallsItServesHaveEnded() throws Exception {
        try (OwnerServingACall c = new OwnerServingACall("futures-drain-")) {
            ClusterExecutor owner = c.owner;
            HazelcastInstance own = c.own;
            HazelcastInstance other = c.other;
            Future<Long> served = c.served;
            owner.shutdown(false, false);
            assertThat(owner.awaitTermination(Duration.ofMillis(300))).as("still serving a call").isFalse();
            assertThat(own.getLifecycleService().isRunning()).isTrue();
            assertThat(served.done()).isFalse();

            // While it drains, the leaving member refuses new calls: they run on the other member.
            try (ClusterExecutor anyMember = ClusterExecutor.builder().hazelcastInstance(other).build()) {
                assertThat(anyMember.awaitMembers(2, Duration.ofSeconds(30))).isTrue();
                for (int i = 0; i < 4; i++) {
                    assertThat(anyMember.submit(new ClusterCalls.Pid()).result(Duration.ofSeconds(30)))
                            .isEqualTo(ProcessHandle.current().pid());
                }
                assertThat(anyMember.snapshot().workerDetails())
                        .allMatch(w -> w.tasksCompleted() == (w.name().endsWith(":" + c.otherPort + " (this)") ? 4 : 0),
                                "all four calls completed on the other member");
            }

            c.gate.open();
            assertThat(served.result(Duration.ofSeconds(30))).isEqualTo(ProcessHandle.current().pid());
            assertThat(owner.awaitTermination(Duration.ofSeconds(30))).isTrue();
            assertThat(own.getLifecycleService().isRunning()).as("the owned member left").isFalse();
            assertThat(other.getLifecycleService().isRunning()).as("the cluster goes on").isTrue();
        }
    }

    /**
     * A leaving member stays until the answer of the last call it served has been handed over for
     * sending, however late its thread gets to send it: the caller receives the value, not a member
     * loss. The answer is held, as Hazelcast begins to send it, for as long as the member no longer
     * counts it (until the member is gone): the window in which a member used to leave with the
     * answer of a call that had ended still unsent.
     */
    @Test
    void leavingMemberStaysUntilTheAnswerOfItsLastCallIsSent() throws Exception {
        try (OwnerServingACall c = new OwnerServingACall("futures-answer-")) {
            String ownName = c.own.getName();
            CountDownLatch gone = new CountDownLatch(1);
            c.own.getLifecycleService().addLifecycleListener(e -> {
                if (e.getState() == LifecycleState.SHUTDOWN) {
                    gone.countDown();
                }
            });
            AtomicInteger sent = new AtomicInteger();
            AtomicInteger heldUntilGone = new AtomicInteger();
            RemoteCall.Outcome.sendingHook = member -> {
                if (member.equals(ownName)) {
                    sent.incrementAndGet();
                }
                if (member.equals(ownName) && ServedCalls.running(member) == 0) {
                    heldUntilGone.incrementAndGet();
                    try {
                        gone.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            };
            try {
                c.owner.shutdown(false, false);
                assertThat(c.owner.awaitTermination(Duration.ofMillis(300))).as("still serving a call").isFalse();
                c.gate.open();
                assertThat(c.served.result(Duration.ofSeconds(30))).isEqualTo(ProcessHandle.current().pid());
                assertThat(c.owner.awaitTermination(Duration.ofSeconds(30))).isTrue();
                assertThat(c.own.getLifecycleService().isRunning()).as("the owned member left").isFalse();
                assertThat(sent).as("the served call's answer, sent").hasValue(1);
                assertThat(heldUntilGone).as("answers the member had stopped counting before they were sent").hasValue(0);
            } finally {
                RemoteCall.Outcome.sendingHook = null;
            }
        }
    }

    /**
     * A member that is leaving counts the answer it sends until its caller confirms the answer
     * arrived; the caller does so at once, and the member's drain then finds nothing left to answer.
     */
    @Test
    void leavingMembersAnswerIsConfirmedByItsCaller() throws Exception {
        try (OwnerServingACall c = new OwnerServingACall("futures-confirm-")) {
            String ownName = c.own.getName();
            java.util.concurrent.CompletableFuture<Integer> drained = new java.util.concurrent.CompletableFuture<>();
            Thread drain = new Thread(() -> drained.complete(ServedCalls.drain(ownName, Duration.ofSeconds(30))));
            drain.start();
            // Calls to the same member run until the drain has begun; then one is refused (and fails: no other
            // member is eligible). Each probe is a real round trip, and the refusal is an answer to confirm too.
            Throwable refused;
            do {
                refused = c.client.submit(new ClusterCalls.Pid()).exception(Duration.ofSeconds(30));
            } while (refused == null);
            assertThat(refused).hasMessageContaining("member");
            c.gate.open();
            assertThat(c.served.result(Duration.ofSeconds(30))).isEqualTo(ProcessHandle.current().pid());
            assertThat(drained.get(30, TimeUnit.SECONDS)).as("calls or answers still counted").isZero();
            drain.join();
        }
    }

    /**
     * The answer of a call that abort cancelled is dropped by Hazelcast, never sent: the member does
     * not wait for it when it leaves (its drain finds nothing left to answer).
     */
    @Test
    void memberDoesNotWaitForTheAnswerOfACallThatAbortCancelled() throws Exception {
        String name = "futures-dropped-" + UUID.randomUUID();
        int port = freePort();
        HazelcastInstance hz = Hazelcast.newHazelcastInstance(ClusterNode.config(name, "127.0.0.1", port,
                List.of("127.0.0.1:" + port), ClusterNode.DEFAULT_EXECUTOR_NAME, 2));
        Gate gate = Gate.create();
        try (Signal started = Signal.create()) {
            ClusterExecutor executor = ClusterExecutor.builder().hazelcastInstance(hz).build();
            Future<Long> running = executor.submit(new ClusterCalls.PidAfter(started, gate));
            started.awaitCount(1);
            executor.shutdown(false, false);
            assertThat(executor.abort(Duration.ofSeconds(10))).isTrue();
            assertThat(running.exception(Duration.ofSeconds(10))).isNotNull();
            assertThat(ServedCalls.drain(hz.getName(), Duration.ofSeconds(30))).as("calls or answers still counted").isZero();
        } finally {
            gate.open();
            ServedCalls.forget(hz.getName());
            hz.getLifecycleService().terminate();
        }
    }

    /**
     * abort cuts short an owned member's wait for the calls it serves: the member leaves within the
     * grace, and the call it was still running fails for its caller (the member left, or the call
     * was interrupted as Hazelcast stopped its threads), rather than hanging.
     */
    @Test
    void abortCutsShortAnOwnedMembersWaitForTheCallsItServes() throws Exception {
        try (OwnerServingACall c = new OwnerServingACall("futures-abort-drain-")) {
            ClusterExecutor owner = c.owner;
            owner.shutdown(false, false); // the member begins to leave, waiting up to 30 s for the served call
            assertThat(owner.awaitTermination(Duration.ofMillis(200))).isFalse();

            long t0 = System.nanoTime();
            owner.abort(Duration.ofSeconds(2));
            assertThat(owner.awaitTermination(Duration.ofSeconds(30))).isTrue();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("abort(2 s) during an owned member's drain: the member was gone after " + ms + " ms");
            assertThat(ms).as("well before the drain's own 30 s limit").isLessThan(20_000L);
            assertThat(c.own.getLifecycleService().isRunning()).isFalse();
            Throwable failure = c.served.exception(Duration.ofSeconds(30));
            System.out.println("the served call ended with " + failure);
            assertThat(failure).isNotNull();
        }
    }

    /**
     * awaitTermination and abort need a shut down executor; abort cancels the waiting calls, stops
     * the running one (Hazelcast interrupts it on its member), and the executor has ended.
     */
    @Test
    void abortCancelsWaitingCallsAndStopsRunningOnes() throws Exception {
        ClusterExecutor executor = ClusterExecutor.builder().clusterName("futures-abort-" + UUID.randomUUID())
                .port(freePort()).maxWorkers(1).build();
        Gate gate = Gate.create();
        try (Signal started = Signal.create()) {
            assertThatThrownBy(() -> executor.awaitTermination(Duration.ZERO)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("shutdown");
            assertThatThrownBy(() -> executor.abort(Duration.ZERO)).isInstanceOf(IllegalStateException.class);
            Future<Long> running = executor.submit(new ClusterCalls.PidAfter(started, gate));
            Future<Long> waiting = executor.submit(new ClusterCalls.PidAfter(started, gate));
            started.awaitCount(1);

            executor.shutdown(false, false);
            assertThat(executor.awaitTermination(Duration.ofMillis(100))).isFalse();
            assertThat(executor.abort(Duration.ofSeconds(10))).isTrue();

            assertThat(waiting.cancelled()).isTrue();
            assertThat(running.done()).isTrue();
            assertThat(running.exception()).isNotNull(); // CancelledError, or the interrupt seen by the call
            assertThat(executor.awaitTermination(Duration.ZERO)).isTrue();
            assertThat(executor.hazelcastInstance().getLifecycleService().isRunning()).isFalse();
            System.out.println("abort: the running call ended with " + running.exception());
        } finally {
            gate.open();
            executor.shutdown(true, true);
        }
    }

    /**
     * A call that ignores interrupts still ends for its caller: Hazelcast reports the call cancelled
     * once its member thread is interrupted, and the future fails with CancelledError naming abort,
     * while the call itself runs on until it returns.
     */
    @Test
    void abortEndsTheFutureOfACallThatIgnoresInterrupts() throws Exception {
        ClusterExecutor executor = ClusterExecutor.builder().clusterName("futures-abandon-" + UUID.randomUUID())
                .port(freePort()).build();
        Gate gate = Gate.create();
        try (Signal started = Signal.create()) {
            Future<Long> stubborn = executor.submit(new Stubborn(started, gate));
            started.awaitCount(1);
            executor.shutdown(false, false);
            executor.abort(Duration.ofMillis(500));
            assertThat(stubborn.exception(Duration.ofSeconds(10))).isInstanceOf(CancelledError.class)
                    .hasMessageContaining("abort");
        } finally {
            gate.open();
            executor.shutdown(true, true);
        }
    }

    /** Fires, then waits at the gate through every interrupt. */
    record Stubborn(Signal started, Gate gate) implements SerializableCallable<Long> {
        @Override
        public Long call() {
            started.fire();
            boolean interrupted = false;
            for (;;) {
                try {
                    gate.await();
                    break;
                } catch (IllegalStateException interruptedWhileWaiting) {
                    Thread.interrupted(); // clear it, or the next await fails at once
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return 1L;
        }
    }
}

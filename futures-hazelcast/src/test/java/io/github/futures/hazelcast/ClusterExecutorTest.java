package io.github.futures.hazelcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.cluster.Member;
import io.github.futures.BrokenExecutor;
import io.github.futures.CancelledError;
import io.github.futures.DoneAndNotDone;
import io.github.futures.Future;
import io.github.futures.Futures;
import io.github.futures.MapOptions;
import io.github.futures.SerializableBiFunction;
import io.github.futures.SerializableCallable;
import io.github.futures.SerializableFunction;
import io.github.futures.TimeoutError;
import io.github.futures.contract.Gate;
import io.github.futures.contract.Signal;
import io.github.futures.spi.ExecutorSnapshot;
import io.github.futures.spi.WorkerSnapshot;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ClusterExecutor} on a real three-member cluster on this machine: the test JVM and two child
 * JVMs, all on 127.0.0.1. Tests that need calls to block use the contract suite's {@link Gate}s and {@link Signal}s, which
 * reach every member; some run their calls on the test JVM's member only (a member selector).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ClusterExecutorTest {

    @RegisterExtension
    static final ClusterPerClass cluster = new ClusterPerClass(2);

    private static ClusterExecutor.Builder onCluster() {
        return ClusterExecutor.builder().hazelcastInstance(cluster.get().hz);
    }

    /** Runs calls only on the test JVM's member. */
    private static ClusterExecutor.Builder onThisJvm() {
        return onCluster().memberSelector(Member::localMember);
    }


    /** A serializable call that cannot be serialized after all: it captures this. */
    static final class NotSerializable {
    }

    /** Work submitted through the executor runs on all three members. */
    @Test
    void callsRunOnEveryMember() {
        try (ClusterExecutor executor = onCluster().build()) {
            List<Future<Long>> futures = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                futures.add(executor.submit(new ClusterCalls.Pid()));
            }
            Set<Long> pids = futures.stream().map(Future::result).collect(Collectors.toSet());
            assertThat(pids).containsExactlyInAnyOrderElementsOf(cluster.get().pids());

            ExecutorSnapshot snapshot = executor.snapshot();
            assertThat(snapshot.kind()).isEqualTo("cluster");
            assertThat(snapshot.state()).isEqualTo(ExecutorSnapshot.RUNNING);
            assertThat(snapshot.workers()).isEqualTo(3);
            assertThat(snapshot.workerDetails()).extracting(WorkerSnapshot::pid)
                    .containsExactlyInAnyOrderElementsOf(cluster.get().pids());
            assertThat(snapshot.workerDetails()).extracting(WorkerSnapshot::name).allMatch(n -> n.startsWith("127.0.0.1:"));
            assertThat(snapshot.workerDetails().stream().mapToLong(WorkerSnapshot::tasksCompleted).sum()).isEqualTo(30);
            assertThat(snapshot.submitted()).isEqualTo(30);
            assertThat(snapshot.succeeded()).isEqualTo(30);
            assertThat(snapshot.pending()).isZero();
            assertThat(snapshot.running()).isZero();
        }
    }

    /** maxWorkers defaults to the members' pool size times the number of members. */
    @Test
    void maxWorkersDefaultsToEveryMembersPool() {
        try (ClusterExecutor executor = onCluster().build()) {
            assertThat(executor.memberPoolSize()).isEqualTo(8);
            assertThat(executor.maxWorkers()).isEqualTo(24);
            assertThat(executor.members()).hasSize(3);
        }
        try (ClusterExecutor executor = onCluster().maxWorkers(5).build()) {
            assertThat(executor.maxWorkers()).isEqualTo(5);
        }
    }

    /** map with a chunk size sends one call per chunk and yields the results in item order. */
    @Test
    void mapWithChunksizeSendsOneCallPerChunkInOrder() {
        try (ClusterExecutor executor = onCluster().build()) {
            List<Integer> items = IntStream.range(0, 100).boxed().toList();
            List<Integer> squares = executor.map((SerializableFunction<Integer, Integer>) x -> x * x, items,
                    MapOptions.DEFAULTS.withChunksize(7)).toList();
            assertThat(squares).isEqualTo(items.stream().map(x -> x * x).toList());
            assertThat(executor.taskStats().submittedCount()).isEqualTo(15); // ceil(100 / 7)

            // Every item of a chunk runs in the same call, hence on the same member.
            List<Long> pids = executor.map((SerializableFunction<Integer, Long>) x -> ProcessHandle.current().pid(),
                    IntStream.range(0, 30).boxed().toList(), MapOptions.DEFAULTS.withChunksize(10)).toList();
            for (int chunk = 0; chunk < 3; chunk++) {
                assertThat(new HashSet<>(pids.subList(chunk * 10, chunk * 10 + 10))).hasSize(1);
            }
            assertThat(new HashSet<>(pids)).hasSize(3); // three chunks, three least-busy members
        }
    }

    /** The two-iterable map zips and stops at the shorter one. */
    @Test
    void mapOfTwoIterablesZips() {
        try (ClusterExecutor executor = onCluster().build()) {
            List<String> out = executor.map((SerializableBiFunction<String, Integer, String>) (s, n) -> s.repeat(n),
                    List.of("a", "b", "c"), List.of(1, 2)).toList();
            assertThat(out).containsExactly("a", "bb");
        }
    }

    /** A call's exception comes back with its type, message and remote stack trace; checked ones wrapped by result(). */
    @Test
    void callExceptionsComeBackWithTypeMessageAndRemoteStack() {
        try (ClusterExecutor executor = onCluster().build()) {
            Future<Integer> unchecked = executor.submit((SerializableCallable<Integer>) () -> {
                throw new IllegalStateException("boom in " + ProcessHandle.current().pid());
            });
            assertThatThrownBy(unchecked::result).isInstanceOf(IllegalStateException.class).hasMessageStartingWith("boom in ");
            assertThat(unchecked.exception().getStackTrace()).anyMatch(e -> e.getClassName().startsWith(ClusterExecutorTest.class.getName()));

            Future<Integer> checked = executor.submit((SerializableCallable<Integer>) () -> {
                throw new IOException("disk");
            });
            assertThatThrownBy(checked::result).isInstanceOf(CompletionException.class).hasCauseInstanceOf(IOException.class);
            assertThat(checked.exception()).isInstanceOf(IOException.class).hasMessage("disk");
        }
    }

    /** A call that is not serializable fails at submit, naming the class at fault; the executor goes on. */
    @Test
    void nonSerializableCallFailsAtSubmitNamingTheClass() {
        try (ClusterExecutor executor = onCluster().build()) {
            Callable<Integer> plain = () -> 1;
            assertThatThrownBy(() -> executor.submit(plain)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(plain.getClass().getName()).hasMessageContaining("SerializableCallable");

            NotSerializable captured = new NotSerializable();
            SerializableCallable<String> capturing = () -> captured.toString();
            assertThatThrownBy(() -> executor.submit(capturing)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(NotSerializable.class.getName());

            Runnable runnable = () -> { };
            assertThatThrownBy(() -> executor.submit(runnable)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(runnable.getClass().getName());

            assertThatThrownBy(() -> executor.map((SerializableFunction<Object, String>) Object::toString,
                    List.of(new NotSerializable()))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(NotSerializable.class.getName());

            assertThat(executor.submit(new ClusterCalls.Pid()).result()).isIn(cluster.get().pids());
            assertThat(executor.taskStats().submittedCount()).isEqualTo(1);
        }
    }

    /** A result that cannot be sent back fails only its own future, with a message naming the class. */
    @Test
    void nonSerializableResultFailsOnlyItsFuture() {
        try (ClusterExecutor executor = onCluster().build()) {
            Future<Object> f = executor.submit((SerializableCallable<Object>) NotSerializable::new);
            assertThatThrownBy(f::result).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(NotSerializable.class.getName());
            assertThat(executor.submit(new ClusterCalls.Pid()).result()).isIn(cluster.get().pids());
        }
    }

    /**
     * maxWorkers bounds the calls in flight: the others wait locally, PENDING and cancellable; sent
     * calls are RUNNING and cannot be cancelled; result(timeout) times out.
     */
    @Test
    void backPressureKeepsCallsWaitingLocallyWhereTheyCanBeCancelled() throws Exception {
        Gate g = Gate.create();
        try (Signal started = Signal.create(); ClusterExecutor executor = onThisJvm().maxWorkers(2).build()) {
            Future<Long> f1 = executor.submit(new ClusterCalls.PidAfter(started, g));
            Future<Long> f2 = executor.submit(new ClusterCalls.PidAfter(started, g));
            Future<Long> f3 = executor.submit(new ClusterCalls.PidAfter(started, g));
            Future<Long> f4 = executor.submit(new ClusterCalls.PidAfter(started, g));
            started.awaitCount(2);

            assertThat(f1.running()).isTrue();
            assertThat(f2.running()).isTrue();
            assertThat(f3.running()).isFalse();
            assertThat(executor.snapshot().pending()).isEqualTo(2);
            assertThat(executor.snapshot().running()).isEqualTo(2);
            assertThat(f3.cancel()).isTrue();
            assertThat(f1.cancel()).isFalse();
            assertThatThrownBy(() -> f1.result(Duration.ofMillis(100))).isInstanceOf(TimeoutError.class);

            g.open();
            long me = ProcessHandle.current().pid();
            assertThat(f1.result()).isEqualTo(me);
            assertThat(f2.result()).isEqualTo(me);
            assertThat(f4.result()).isEqualTo(me);
            assertThatThrownBy(f3::result).isInstanceOf(CancelledError.class);
            ExecutorSnapshot s = executor.snapshot();
            assertThat(s.succeeded()).isEqualTo(3);
            assertThat(s.cancelled()).isEqualTo(1);
        }
    }

    /** Done callbacks, wait and asCompleted work on cluster futures. */
    @Test
    void callbacksWaitAndAsCompletedWork() throws InterruptedException {
        try (ClusterExecutor executor = onCluster().build()) {
            List<Future<Long>> futures = new ArrayList<>();
            List<Long> called = new CopyOnWriteArrayList<>();
            CountDownLatch callbacks = new CountDownLatch(6);
            for (int i = 0; i < 6; i++) {
                Future<Long> f = executor.submit(new ClusterCalls.Pid());
                f.addDoneCallback(done -> {
                    called.add(done.result());
                    callbacks.countDown();
                });
                futures.add(f);
            }
            DoneAndNotDone<Future<Long>> r = Futures.wait(futures, Duration.ofSeconds(30));
            assertThat(r.done()).hasSize(6);
            assertThat(r.notDone()).isEmpty();
            List<Future<Long>> completed = new ArrayList<>();
            Futures.asCompleted(futures, Duration.ofSeconds(30)).forEach(completed::add);
            assertThat(completed).containsExactlyInAnyOrderElementsOf(futures);
            // Callbacks run in the completing thread after waiters are woken: wait for them too.
            assertThat(callbacks.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(called).hasSize(6).allMatch(cluster.get().pids()::contains);
            assertThat(futures.get(0).toCompletableFuture().join()).isIn(cluster.get().pids());
        }
    }

    /**
     * shutdown(wait=true) waits for the calls in flight; then submits are rejected; the cluster and
     * Hazelcast's executor service go on (another executor on the same member still works).
     */
    @Test
    void shutdownActsOnThisExecutorsCallsOnly() throws Exception {
        Gate g = Gate.create();
        Signal started = Signal.create();
        ClusterExecutor executor = onThisJvm().build();
        Future<Long> f = executor.submit(new ClusterCalls.PidAfter(started, g));
        started.awaitCount(1);
        executor.shutdown(false, false);
        assertThatThrownBy(() -> executor.submit(new ClusterCalls.Pid())).isInstanceOf(RejectedExecutionException.class);
        assertThat(executor.snapshot().state()).isEqualTo(ExecutorSnapshot.SHUTDOWN);

        CompletableFuture<Void> waiter = CompletableFuture.runAsync(() -> executor.shutdown(true, false));
        assertThatThrownBy(() -> waiter.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        assertThat(f.done()).isFalse();
        g.open();
        waiter.get(30, TimeUnit.SECONDS);
        assertThat(f.result()).isEqualTo(ProcessHandle.current().pid());

        assertThat(cluster.get().hz.getLifecycleService().isRunning()).isTrue();
        assertThat(cluster.get().hz.getExecutorService(executor.executorName()).isShutdown()).isFalse();
        try (ClusterExecutor other = onCluster().build()) {
            assertThat(other.submit(new ClusterCalls.Pid()).result()).isIn(cluster.get().pids());
        }
        executor.shutdown(true, false); // again: harmless
    }

    /** shutdown(cancelFutures=true) cancels the calls still waiting; the ones sent finish. */
    @Test
    void shutdownWithCancelFuturesCancelsWaitingCalls() throws Exception {
        Gate g = Gate.create();
        Signal started = Signal.create();
        ClusterExecutor executor = onThisJvm().maxWorkers(1).build();
        Future<Long> running = executor.submit(new ClusterCalls.PidAfter(started, g));
        Future<Long> waiting1 = executor.submit(new ClusterCalls.PidAfter(started, g));
        Future<Long> waiting2 = executor.submit(new ClusterCalls.PidAfter(started, g));
        started.awaitCount(1);
        executor.shutdown(false, true);
        assertThat(waiting1.cancelled()).isTrue();
        assertThat(waiting2.cancelled()).isTrue();
        assertThat(running.cancelled()).isFalse();
        g.open();
        assertThat(running.result()).isEqualTo(ProcessHandle.current().pid());
        executor.shutdown(true, false);
        assertThat(executor.snapshot().cancelled()).isEqualTo(2);
    }

    static volatile ClusterExecutor selfStopping;

    /** A call that shuts down its own executor with wait=true does not deadlock. */
    @Test
    void shutdownFromInsideOwnCallDoesNotDeadlock() {
        ClusterExecutor executor = onThisJvm().build();
        selfStopping = executor;
        Future<String> f = executor.submit((SerializableCallable<String>) () -> {
            selfStopping.shutdown(true, false);
            return "stopped from inside";
        });
        assertThat(f.result(Duration.ofSeconds(30))).isEqualTo("stopped from inside");
        executor.shutdown(true, false);
        assertThat(executor.isShutdown()).isTrue();
    }

    /**
     * A failing initializer breaks the executor: the call and the waiting calls fail with
     * BrokenExecutor naming the member, later submits throw it, and the snapshot says why.
     */
    @Test
    void failingInitializerBreaksTheExecutorAndSaysWhere() {
        // The initializer fails only once both calls are in: otherwise the executor may break before
        // the second submit, which then throws instead of returning a future that fails.
        Gate gate = Gate.create();
        try (ClusterExecutor executor = onThisJvm().maxWorkers(1)
                .initializer(() -> {
                    gate.await();
                    throw new IllegalStateException("no database");
                }).build()) {
            Future<Long> first = executor.submit(new ClusterCalls.Pid());
            Future<Long> waiting = executor.submit(new ClusterCalls.Pid());
            gate.open();
            assertThatThrownBy(first::result).isInstanceOf(BrokenExecutor.class)
                    .hasMessageContaining("initializer failed on member")
                    .hasMessageContaining("no database")
                    .hasCauseInstanceOf(IllegalStateException.class);
            assertThatThrownBy(waiting::result).isInstanceOf(BrokenExecutor.class);
            assertThatThrownBy(() -> executor.submit(new ClusterCalls.Pid())).isInstanceOf(BrokenExecutor.class)
                    .hasMessageContaining("no database");
            assertThat(executor.isBroken()).isTrue();
            ExecutorSnapshot s = executor.snapshot();
            assertThat(s.state()).isEqualTo(ExecutorSnapshot.BROKEN);
            assertThat(s.brokenReason()).contains("no database");
            assertThat(s.failed()).isEqualTo(2);
        }
        NotSerializable captured = new NotSerializable();
        assertThatThrownBy(() -> onCluster().initializer(() -> captured.toString()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(NotSerializable.class.getName());
    }

    /** Bad builder input is rejected with a message that says what is wrong. */
    @Test
    void builderRejectsBadInput() {
        assertThatThrownBy(() -> ClusterExecutor.builder().maxWorkers(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxWorkers");
        assertThatThrownBy(() -> ClusterExecutor.builder().port(70000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port");
        assertThatThrownBy(() -> ClusterExecutor.builder().clusterName(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("clusterName");
        assertThatThrownBy(() -> ClusterExecutor.builder().hazelcastInstance(cluster.get().hz).clusterName("x").build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("hazelcastInstance");
        assertThatThrownBy(() -> ClusterNode.config("c", "127.0.0.1", 5701, List.of("127.0.0.1:5701-5703"), "e", 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port range");
        assertThatThrownBy(() -> ClusterNode.configFromArgs("--colour=red")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--colour");
    }

}

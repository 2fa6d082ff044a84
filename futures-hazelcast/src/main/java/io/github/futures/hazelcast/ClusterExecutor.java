package io.github.futures.hazelcast;

import com.hazelcast.cluster.InitialMembershipEvent;
import com.hazelcast.cluster.InitialMembershipListener;
import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MemberSelector;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.config.Config;
import com.hazelcast.config.ExecutorConfig;
import com.hazelcast.core.ExecutionCallback;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.core.MemberLeftException;
import com.hazelcast.spi.exception.TargetNotMemberException;
import io.github.futures.BrokenExecutor;
import io.github.futures.Executor;
import io.github.futures.Future;
import io.github.futures.InvalidStateError;
import io.github.futures.MapOptions;
import io.github.futures.SerializableBiFunction;
import io.github.futures.SerializableCallable;
import io.github.futures.SerializableFunction;
import io.github.futures.SerializableRunnable;
import io.github.futures.spi.ExecutorSnapshot;
import io.github.futures.spi.MapSupport;
import io.github.futures.spi.ObservableExecutor;
import io.github.futures.spi.TaskStats;
import io.github.futures.spi.Timeouts;
import io.github.futures.spi.TrackedFuture;
import io.github.futures.spi.WorkerSnapshot;
import java.io.IOException;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * An {@link Executor} that runs calls on the members of a Hazelcast cluster, through Hazelcast's own
 * distributed executor ({@link IExecutorService}): the same {@code submit}, {@code map},
 * {@code Futures.wait}, {@code Futures.asCompleted} and {@code shutdown} as the thread and process
 * pools, spread over several JVMs and machines.
 *
 * <pre>{@code
 * try (var cluster = ClusterExecutor.builder().clusterName("demo").members("127.0.0.1").build()) {
 *     Future<Long> pid = cluster.submit(() -> ProcessHandle.current().pid());
 *     List<Integer> squares = cluster.map((Integer x) -> x * x, List.of(1, 2, 3),
 *             MapOptions.DEFAULTS.withChunksize(100)).toList();
 * }
 * }</pre>
 *
 * <h2>Members</h2>
 * By default the executor starts an embedded Hazelcast member with closed, loopback-only networking
 * (see {@link ClusterNode#config}) that joins the other members listed; {@link #shutdown} then makes
 * that member leave the cluster once this executor's calls are done. Given an existing
 * {@link HazelcastInstance} ({@link Builder#hazelcastInstance}), the executor uses it and never shuts it
 * (nor its {@code IExecutorService}) down. Every member that runs calls, this one included, must have
 * the application's classes on its class path.
 *
 * <h2>Calls</h2>
 * Calls travel serialized, as for {@link io.github.futures.ProcessPoolExecutor}: a call (with what it
 * captures) must be {@link Serializable}; {@code submit} serializes it at once and throws
 * {@link IllegalArgumentException} naming the class at fault if that fails. Results and exceptions
 * come back serialized; a call's exception keeps its type, message and remote stack trace. Each call
 * goes to the eligible member with the fewest calls of this executor in flight.
 *
 * <h2>Back-pressure and states</h2>
 * At most {@link #maxWorkers()} calls of this executor are in flight on the cluster at a time; the
 * others wait in a local queue and are sent as earlier ones finish. A waiting call's future is
 * PENDING and can be cancelled; once sent to a member it is RUNNING and can no longer be cancelled
 * (as CPython's process pool does with its call queue): it may already be running there. Each
 * member's own thread count is its Hazelcast executor configuration's pool size.
 *
 * <h2>Member loss: at-most-once by default</h2>
 * When a member leaves or dies while it runs calls of this executor, those calls' futures fail
 * promptly with {@link MemberLeftException} naming the member; the call may or may not have run
 * (to its end or partly), and it is not run again: delivery is <b>at-most-once</b>. With
 * {@link Builder#retryOnMemberLoss(boolean) retryOnMemberLoss(true)} each such call is sent once more,
 * to another member, and only fails if that member is lost too: delivery is then <b>at-least-once</b>
 * and calls must be safe to repeat. A call that never reached its member (the member was already gone)
 * is always sent elsewhere. The executor itself is not broken by a member loss and keeps serving
 * with the members that remain.
 *
 * <h2>Initializer</h2>
 * An optional {@link Builder#initializer initializer} runs on each member thread once, before that
 * thread's first call of this executor. If it throws, the executor is broken as a thread pool is:
 * that call and every waiting call fail with {@link BrokenExecutor}, and so does every later submit.
 *
 * <p>Done callbacks run in a Hazelcast thread; keep them short.
 *
 * <p>Memory consistency effects: actions in a thread before it submits a call <i>happen-before</i>
 * the call is serialized; the call's effects reach the caller only through its serialized result.
 *
 * @since 0.1.0
 */
public final class ClusterExecutor implements Executor, ObservableExecutor {

    /*
     * Implementation note.
     *
     * Flow: submit -> serialize -> 'waiting' (FIFO) -> pump() takes a permit and a call, marks its
     * future RUNNING and dispatch()es it as an Attempt to one member with submitToMember(..., callback)
     * -> the Attempt is settled exactly once, by Hazelcast's callback (response or failure) or by our
     * membership listener (member removed) -> the permit is released or handed to a retry -> pump().
     *
     * Back-pressure: 'permits' starts at maxWorkers; a permit is held from dispatch until the call is
     * done. pump() is lock-free: a submitter offers then checks permits, a finisher releases then
     * checks the queue, so one of them always sees both (no lost wake-up). pump() is called at the
     * end of every entry point (submit, Hazelcast callback, membership event); code that completes a
     * call inside those never pumps itself, so recursion stays bounded.
     *
     * Attempt states: in flight -> settled (CAS on 'settled'). Whoever settles it removes it from its
     * member slot and decides: complete the future, fail it, or dispatch a new Attempt (retry).
     *
     * Member slots: 'slots' is a copy-on-write array replaced under 'membershipLock' by membership
     * events only; submitters read it with one volatile load. A slot's 'removed' flag is set before
     * its attempts are failed (or when Hazelcast reports the member gone, which may come first);
     * choose() skips removed slots, and dispatch re-checks the flag after registering an attempt, so
     * an attempt is either seen by the removal or takes itself back.
     *
     * Broken (an initializer failed on a member): 'broken' is set once under 'membershipLock' (with
     * 'brokenCause' written first), before the failing call's permit is released; from then on pump()
     * fails waiting calls instead of sending them, and submit throws. Calls already on members finish.
     *
     * Shutdown: 'shutdown' is volatile, set once. 'outstanding' counts accepted calls whose futures
     * are not done (incremented before the shutdown check in submit, decremented by a done callback).
     * Waiters in shutdown(wait=true) block on 'quiescent' under 'terminationLock', which finishers take
     * only after shutdown. When shutdown is set and 'outstanding' reaches zero, 'onQuiescent' runs
     * once: it removes the membership listener, and makes an owned embedded member leave.
     */

    private static final System.Logger LOG = System.getLogger(ClusterExecutor.class.getName());

    /** How many times a call that never reached its member is sent elsewhere before it fails. */
    private static final int MAX_REDELIVERIES = 3;

    private final String id = UUID.randomUUID().toString();
    private final HazelcastInstance hazelcast;
    private final boolean ownsMember;
    private final IExecutorService service;
    private final String executorName;
    private final int maxWorkers;
    private final int memberPoolSize;
    private final boolean retryOnMemberLoss;
    private final MemberSelector memberSelector;
    private final byte[] initializer;
    private final TaskStats stats = new TaskStats();

    private final ConcurrentLinkedQueue<Call<?>> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger permits;
    private final AtomicLong outstanding = new AtomicLong();
    private final AtomicInteger rotation = new AtomicInteger();
    private final LongAdder memberLosses = new LongAdder();
    private final LongAdder retries = new LongAdder();

    /** Guards membership changes; awaitMembers() waits on it. */
    private final Object membershipLock = new Object();
    /** Copy-on-write; replaced under 'membershipLock', which is then notified. */
    private volatile MemberSlot[] slots = new MemberSlot[0];
    /** Written under 'membershipLock'. */
    private long membersSeen;
    private final UUID membershipRegistration;

    private volatile boolean shutdown;
    /** Why the executor is broken (an initializer failed), or null; written once under 'membershipLock'. */
    private volatile String broken;
    /** The initializer's exception; written before, and published by, the write of 'broken'. */
    private Throwable brokenCause;
    private final AtomicBoolean quiesced = new AtomicBoolean();
    private final CompletableFuture<Void> memberGone = new CompletableFuture<>();
    private final ReentrantLock terminationLock = new ReentrantLock();
    private final Condition quiescent = terminationLock.newCondition();

    private ClusterExecutor(Builder b, HazelcastInstance hazelcast, boolean ownsMember) {
        this.hazelcast = hazelcast;
        this.ownsMember = ownsMember;
        this.executorName = b.executorName;
        this.retryOnMemberLoss = b.retryOnMemberLoss;
        this.memberSelector = b.memberSelector;
        this.initializer = b.initializerBytes;
        this.service = hazelcast.getExecutorService(executorName);
        this.memberPoolSize = configuredPoolSize(hazelcast, executorName);
        int eligible = 0;
        for (Member m : hazelcast.getCluster().getMembers()) {
            if (memberSelector == null || memberSelector.select(m)) {
                eligible++;
            }
        }
        // Default: enough calls in flight to fill every member's pool, and no more (the rest wait here,
        // where they can still be cancelled, rather than in the members' queues, where they cannot).
        this.maxWorkers = b.maxWorkers > 0 ? b.maxWorkers : Math.max(1, memberPoolSize * Math.max(1, eligible));
        this.permits = new AtomicInteger(maxWorkers);
        // Last: from here on membership events may arrive, and they use the fields above.
        this.membershipRegistration = hazelcast.getCluster().addMembershipListener(new Membership());
    }

    private static int configuredPoolSize(HazelcastInstance hz, String executorName) {
        try {
            return hz.getConfig().getExecutorConfig(executorName).getPoolSize();
        } catch (UnsupportedOperationException notAMember) {
            return ExecutorConfig.DEFAULT_POOL_SIZE;
        }
    }

    /**
     * A builder for all options.
     *
     * @return a new builder with the defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------ accessors

    /**
     * The number of calls this executor keeps in flight on the cluster at most.
     *
     * @return {@code maxWorkers}
     */
    public int maxWorkers() {
        return maxWorkers;
    }

    /**
     * The number of threads that run calls on each member, from the Hazelcast executor configuration
     * of this member (members are expected to share it).
     *
     * @return the pool size per member
     */
    public int memberPoolSize() {
        return memberPoolSize;
    }

    /**
     * The name of the Hazelcast executor the calls run on.
     *
     * @return the executor name
     */
    public String executorName() {
        return executorName;
    }

    /**
     * The Hazelcast member (or the given instance) this executor submits through.
     *
     * @return the instance
     */
    public HazelcastInstance hazelcastInstance() {
        return hazelcast;
    }

    /**
     * The members that receive calls now.
     *
     * @return the eligible members, in cluster order
     */
    public List<Member> members() {
        List<Member> list = new ArrayList<>();
        for (MemberSlot s : slots) {
            list.add(s.member);
        }
        return List.copyOf(list);
    }

    /**
     * Waits until at least {@code n} eligible members receive this executor's calls, for example
     * before sending a batch that should spread over all the nodes being started.
     *
     * @param n the number of members
     * @param timeout the limit
     * @return whether there were {@code n} members in time
     * @throws NullPointerException if {@code timeout} is {@code null}
     * @throws IllegalArgumentException if {@code n < 1}
     * @throws CompletionException wrapping an {@link InterruptedException} if the thread is
     *     interrupted (its interrupt status is kept)
     */
    public boolean awaitMembers(int n, Duration timeout) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be at least 1, got " + n);
        }
        long nanos = Timeouts.toNanos(timeout, "timeout");
        long deadline = System.nanoTime() + nanos;
        synchronized (membershipLock) {
            while (slots.length < n) {
                long left = deadline - System.nanoTime();
                if (left <= 0L) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(membershipLock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CompletionException(e);
                }
            }
            return true;
        }
    }

    /**
     * Whether {@link #shutdown} was called.
     *
     * @return {@code true} once shut down
     */
    public boolean isShutdown() {
        return shutdown;
    }

    /**
     * Whether the executor is broken: an initializer failed.
     *
     * @return {@code true} if broken
     */
    public boolean isBroken() {
        return broken != null;
    }

    // ------------------------------------------------------------------ submit

    /**
     * Schedules {@code fn} on a cluster member.
     *
     * @param fn the call; must be serializable, with everything it captures
     * @param <T> the result type
     * @return the future of the call
     * @throws IllegalArgumentException if {@code fn} cannot be serialized (the message names the class)
     * @throws RejectedExecutionException after shutdown
     * @throws BrokenExecutor if the Hazelcast member is no longer running
     */
    public <T> Future<T> submit(SerializableCallable<T> fn) {
        return submit((Callable<T>) fn);
    }

    /**
     * Schedules {@code fn} on a cluster member; its future's value is {@code null}.
     *
     * @param fn the call; must be serializable, with everything it captures
     * @return the future of the call
     * @throws IllegalArgumentException if {@code fn} cannot be serialized (the message names the class)
     * @throws RejectedExecutionException after shutdown
     */
    public Future<Void> submit(SerializableRunnable fn) {
        return submit((Runnable) fn);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if {@code fn} is not serializable (the message names the class)
     */
    @Override
    public <T> Future<T> submit(Callable<T> fn) {
        Objects.requireNonNull(fn, "fn");
        return enqueue(fn, fn);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if {@code fn} is not serializable (the message names the class)
     */
    @Override
    public Future<Void> submit(Runnable fn) {
        Objects.requireNonNull(fn, "fn");
        return enqueue(new RunnableCall(fn), fn);
    }

    private <T> Future<T> enqueue(Callable<T> call, Object userTask) {
        checkAccepting();
        RemoteCall remote = new RemoteCall(serialize(call, userTask), id, initializer);
        outstanding.incrementAndGet();
        if (shutdown) {
            outstanding.decrementAndGet();
            signalIfShutdown(outstanding.get());
            checkAccepting();
        }
        TrackedFuture<T> future = stats.newFuture();
        Call<T> c = new Call<>(future, remote);
        stats.submitted();
        future.addDoneCallback(f -> callDone());
        waiting.offer(c);
        pump();
        return future;
    }

    private static byte[] serialize(Object call, Object userTask) {
        if (!(userTask instanceof Serializable)) {
            throw new IllegalArgumentException("cannot send the call to a cluster member: " + userTask.getClass().getName()
                    + " is not serializable; pass a SerializableCallable/SerializableRunnable (a cast such as"
                    + " (SerializableCallable<T>) () -> ... makes a lambda serializable)");
        }
        try {
            return Wire.toBytes(call);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot send the call to a cluster member: "
                    + Wire.whyNotSerializable(userTask, e), e);
        }
    }

    private void checkAccepting() {
        String b = broken;
        if (b != null) {
            throw new BrokenExecutor(b, brokenCause);
        }
        if (shutdown) {
            throw new RejectedExecutionException("cannot schedule new futures after shutdown");
        }
        if (!hazelcast.getLifecycleService().isRunning()) {
            throw new BrokenExecutor("the Hazelcast member of this cluster executor is not running (it was shut down "
                    + "or terminated outside of this executor); create a new executor");
        }
    }

    // ------------------------------------------------------------------ map

    @Override
    public <T, R> Stream<R> map(Function<? super T, ? extends R> fn, Iterable<? extends T> items, MapOptions options) {
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(items, "items");
        Objects.requireNonNull(options, "options");
        if (!(fn instanceof Serializable)) {
            throw new IllegalArgumentException("cannot send the function to a cluster member: " + fn.getClass().getName()
                    + " is not serializable; pass a SerializableFunction (a cast such as"
                    + " (SerializableFunction<T, R>) x -> ... makes a lambda serializable)");
        }
        return MapSupport.<T, R>mapChunked(items, options, (List<T> chunk) -> enqueue(new ChunkCall<T, R>(fn, chunk), fn));
    }

    /**
     * Like {@link Executor#map(Function, Iterable)}, for a serializable function.
     *
     * @param fn the function
     * @param items the arguments; each must be serializable
     * @param <T> the argument type
     * @param <R> the result type
     * @return the results, in order
     */
    public <T, R> Stream<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items) {
        return map((Function<? super T, ? extends R>) fn, items, MapOptions.DEFAULTS);
    }

    /**
     * Like {@link Executor#map(Function, Iterable, Duration)}, for a serializable function.
     *
     * @param fn the function
     * @param items the arguments; each must be serializable
     * @param timeout the limit for all results, from now; {@code null} for none
     * @param <T> the argument type
     * @param <R> the result type
     * @return the results, in order
     */
    public <T, R> Stream<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items, Duration timeout) {
        return map((Function<? super T, ? extends R>) fn, items, MapOptions.DEFAULTS.withTimeout(timeout));
    }

    /**
     * Like {@link Executor#map(Function, Iterable, MapOptions)}, for a serializable function: one call
     * per chunk of {@code options.chunksize()} items.
     *
     * @param fn the function
     * @param items the arguments; each must be serializable
     * @param options timeout, chunk size and buffer size
     * @param <T> the argument type
     * @param <R> the result type
     * @return the results, in order
     */
    public <T, R> Stream<R> map(SerializableFunction<? super T, ? extends R> fn, Iterable<? extends T> items, MapOptions options) {
        return map((Function<? super T, ? extends R>) fn, items, options);
    }

    /**
     * Like {@link Executor#map(BiFunction, Iterable, Iterable)}, for a serializable function.
     *
     * @param fn the function
     * @param a the first arguments
     * @param b the second arguments
     * @param <A> the first argument type
     * @param <B> the second argument type
     * @param <R> the result type
     * @return the results, in order
     */
    public <A, B, R> Stream<R> map(SerializableBiFunction<? super A, ? super B, ? extends R> fn,
                                   Iterable<? extends A> a, Iterable<? extends B> b) {
        return map((BiFunction<? super A, ? super B, ? extends R>) fn, a, b);
    }

    @Override
    public <A, B, R> Stream<R> map(BiFunction<? super A, ? super B, ? extends R> fn,
                                   Iterable<? extends A> a, Iterable<? extends B> b) {
        Objects.requireNonNull(fn, "fn");
        if (!(fn instanceof Serializable)) {
            throw new IllegalArgumentException("cannot send the function to a cluster member: " + fn.getClass().getName()
                    + " is not serializable; pass a SerializableBiFunction");
        }
        return map(MapSupport.spread(fn), MapSupport.zip(a, b), MapOptions.DEFAULTS);
    }

    // ------------------------------------------------------------------ dispatch

    /** Sends waiting calls while permits are free. Lock-free; see the implementation note. */
    private void pump() {
        for (;;) {
            if (waiting.isEmpty()) {
                return;
            }
            String b = broken;
            if (b != null) {
                failWaiting(b);
                return;
            }
            int p = permits.get();
            if (p <= 0) {
                return;
            }
            if (!permits.compareAndSet(p, p - 1)) {
                continue;
            }
            Call<?> c = waiting.poll();
            if (c == null) {
                permits.incrementAndGet();
                continue;
            }
            boolean run;
            try {
                run = c.future.setRunningOrNotifyCancel();
            } catch (InvalidStateError completedFromOutside) {
                run = false;
            }
            if (!run) {
                permits.incrementAndGet();
                continue;
            }
            dispatch(c);
        }
    }

    /** Sends a call that holds a permit to the least busy eligible member. Never pumps. */
    private void dispatch(Call<?> c) {
        for (;;) {
            MemberSlot slot = choose();
            if (slot == null) {
                permits.incrementAndGet();
                fail(c, new IllegalStateException("no cluster member can run calls of this executor (executor '"
                        + executorName + "' sees no eligible member)"));
                return;
            }
            Attempt a = new Attempt(c, slot);
            slot.inFlight.incrementAndGet();
            slot.attempts.add(a);
            if (slot.removed && a.settle()) {
                continue; // the member left while we chose it; its removal did not see this attempt
            }
            try {
                service.submitToMember(c.remote, slot.member, a);
            } catch (RuntimeException e) {
                if (a.settle()) {
                    handleFailure(a, e);
                }
            }
            return;
        }
    }

    /** The eligible member with the fewest calls in flight; ties go round-robin. */
    private MemberSlot choose() {
        MemberSlot[] s = slots;
        int n = s.length;
        if (n == 0) {
            return null;
        }
        int start = Math.floorMod(rotation.getAndIncrement(), n);
        MemberSlot best = null;
        int bestLoad = Integer.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            MemberSlot candidate = s[(start + i) % n];
            if (candidate.removed) {
                continue; // Hazelcast already told us it left; the membership event may still be on its way
            }
            int load = candidate.inFlight.get();
            if (load < bestLoad) {
                best = candidate;
                bestLoad = load;
            }
        }
        return best;
    }

    /** A settled attempt's Hazelcast failure. Never pumps. */
    private void handleFailure(Attempt a, Throwable t) {
        Throwable cause = unwrap(t);
        Call<?> c = a.call;
        if (cause instanceof MemberLeftException || cause instanceof TargetNotMemberException) {
            // Hazelcast's failure can come before the membership event: stop choosing this member now,
            // or a retry could go straight back to it.
            a.slot.removed = true;
        }
        if (cause instanceof TargetNotMemberException && c.redeliveries < MAX_REDELIVERIES) {
            c.redeliveries++; // it never reached the member: sending it elsewhere keeps at-most-once
            dispatch(c);
        } else if (cause instanceof MemberLeftException || cause instanceof TargetNotMemberException) {
            memberLost(c, a.slot.member);
        } else {
            permits.incrementAndGet();
            fail(c, cause);
        }
    }

    /** A call's member left while the call was in flight. Never pumps. */
    private void memberLost(Call<?> c, Member member) {
        memberLosses.increment();
        if (retryOnMemberLoss && !c.retried && !shutdownCancelled) {
            c.retried = true;
            retries.increment();
            LOG.log(System.Logger.Level.INFO, () -> "member " + member + " left while running a call; sending it once more to another member");
            dispatch(c);
            return;
        }
        permits.incrementAndGet();
        fail(c, new MemberLeftException(member));
    }

    private static Throwable unwrap(Throwable t) {
        Throwable x = t;
        while ((x instanceof CompletionException || (x instanceof ExecutionException && !(x instanceof MemberLeftException)))
                && x.getCause() != null) {
            x = x.getCause();
        }
        return x;
    }

    @SuppressWarnings("unchecked")
    private <T> void complete(Call<T> c, RemoteCall.Outcome outcome, Member member) {
        Object value;
        try {
            value = Wire.fromBytes(outcome.payload());
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            fail(c, new IllegalStateException("cannot read the call's "
                    + (outcome.kind() == RemoteCall.Outcome.VALUE ? "result" : "exception")
                    + " sent back by the member: " + e, e));
            return;
        }
        if (outcome.kind() == RemoteCall.Outcome.INITIALIZER_FAILED) {
            Throwable t = (Throwable) value;
            BrokenExecutor failure = breakExecutor("the initializer failed on member " + member.getAddress()
                    + ", the cluster executor is not usable anymore (" + t.getClass().getName()
                    + (t.getMessage() == null ? "" : ": " + t.getMessage()) + ")", t);
            fail(c, failure);
            return;
        }
        try {
            if (outcome.kind() == RemoteCall.Outcome.FAILED) {
                c.future.setException((Throwable) value);
            } else {
                c.future.setResult((T) value);
            }
        } catch (InvalidStateError completedFromOutside) {
            // Someone completed the future from outside; the call's outcome is dropped.
        }
    }

    private static void fail(Call<?> c, Throwable t) {
        try {
            c.future.setException(t);
        } catch (InvalidStateError completedFromOutside) {
            // already done
        }
    }

    /**
     * Marks the executor broken (once; later reasons are dropped) and fails every waiting call.
     * Returns the exception for the call that broke it.
     */
    private BrokenExecutor breakExecutor(String reason, Throwable cause) {
        synchronized (membershipLock) {
            if (broken == null) {
                brokenCause = cause;
                broken = reason;
            }
        }
        failWaiting(broken);
        return new BrokenExecutor(reason, cause);
    }

    private void failWaiting(String reason) {
        for (Call<?> c; (c = waiting.poll()) != null; ) {
            fail(c, new BrokenExecutor(reason, brokenCause));
        }
    }

    // ------------------------------------------------------------------ shutdown

    /** Set when shutdown(cancelFutures=true) ran: calls lost with their member are then not retried. */
    private volatile boolean shutdownCancelled;

    /**
     * {@inheritDoc}
     *
     * <p>Acts on this executor's calls only: it never shuts down the cluster, nor Hazelcast's
     * {@code IExecutorService}. If the executor started its own embedded member, that member leaves
     * the cluster once this executor's calls are done ({@code wait=true} returns after it left).
     * Calls already sent to members are running and are not cancelled.
     */
    @Override
    public void shutdown(boolean wait, boolean cancelFutures) {
        shutdown = true;
        if (cancelFutures) {
            shutdownCancelled = true;
            for (Call<?> c; (c = waiting.poll()) != null; ) {
                c.future.cancel();
            }
        }
        boolean insideOwnCall = id.equals(RemoteCall.CURRENT_EXECUTOR.get());
        if (outstanding.get() == 0L) {
            onQuiescent();
        }
        if (!wait) {
            return;
        }
        // From inside one of our own calls, that call is still outstanding: wait for the others only.
        long allowance = insideOwnCall ? 1L : 0L;
        boolean interrupted = false;
        terminationLock.lock();
        try {
            while (outstanding.get() > allowance) {
                try {
                    quiescent.await();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            terminationLock.unlock();
        }
        if (ownsMember && !insideOwnCall) {
            if (allowance == 0L) {
                onQuiescent();
            }
            for (;;) {
                try {
                    memberGone.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void callDone() {
        long n = outstanding.decrementAndGet();
        signalIfShutdown(n);
    }

    private void signalIfShutdown(long n) {
        if (!shutdown) {
            return;
        }
        terminationLock.lock();
        try {
            quiescent.signalAll();
        } finally {
            terminationLock.unlock();
        }
        if (n == 0L) {
            onQuiescent();
        }
    }

    /** Runs once, when shut down and no call is outstanding: detach from the cluster, leave an owned member. */
    private void onQuiescent() {
        if (!quiesced.compareAndSet(false, true)) {
            return;
        }
        if (!ownsMember) {
            try {
                hazelcast.getCluster().removeMembershipListener(membershipRegistration);
            } catch (RuntimeException instanceGone) {
                // the instance is not running anymore; nothing to detach from
            }
            memberGone.complete(null);
            return;
        }
        // Leave in a thread of our own: this may run in a Hazelcast thread, or inside one of our calls.
        Thread leave = new Thread(() -> {
            try {
                hazelcast.shutdown();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "leaving the cluster failed", e);
            } finally {
                memberGone.complete(null);
            }
        }, "futures-cluster-leave");
        leave.start();
    }

    // ------------------------------------------------------------------ observability

    @Override
    public String kind() {
        return "cluster";
    }

    @Override
    public TaskStats taskStats() {
        return stats;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The workers are the members that receive calls, each named by its address and showing its
     * process id (when the member publishes {@value ClusterNode#PID_ATTRIBUTE}), the calls of this
     * executor it completed, and whether it runs one now.
     */
    @Override
    public ExecutorSnapshot snapshot() {
        MemberSlot[] s = slots;
        List<WorkerSnapshot> details = new ArrayList<>(s.length);
        for (MemberSlot slot : s) {
            details.add(new WorkerSnapshot(slot.name(), slot.pid(), slot.completed.sum(), slot.seenAt,
                    slot.inFlight.get() > 0));
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("maxWorkers", maxWorkers);
        config.put("clusterName", clusterNameOrUnknown());
        config.put("executorName", executorName);
        config.put("memberPoolSize", memberPoolSize);
        config.put("retryOnMemberLoss", retryOnMemberLoss);
        config.put("initializer", initializer != null);
        config.put("embeddedMember", ownsMember);
        config.put("memberLosses", memberLosses.sum());
        config.put("retries", retries.sum());
        List<String> members = new ArrayList<>();
        for (MemberSlot slot : s) {
            members.add(slot.name());
        }
        config.put("members", List.copyOf(members));
        boolean running = hazelcast.getLifecycleService().isRunning();
        String b = broken;
        String state = b != null ? ExecutorSnapshot.BROKEN : shutdown ? ExecutorSnapshot.SHUTDOWN
                : running ? ExecutorSnapshot.RUNNING : ExecutorSnapshot.BROKEN;
        String reason = b != null ? b : !shutdown && !running ? "the Hazelcast member is not running" : null;
        long seen;
        synchronized (membershipLock) {
            seen = membersSeen;
        }
        return new ExecutorSnapshot(kind(), state, maxWorkers, s.length, seen, stats.pendingCount(),
                stats.runningCount(), stats.submittedCount(), stats.succeededCount(), stats.failedCount(),
                stats.cancelledCount(), reason, List.copyOf(details), Collections.unmodifiableMap(config));
    }

    private String clusterNameOrUnknown() {
        try {
            return hazelcast.getConfig().getClusterName();
        } catch (RuntimeException notAvailable) {
            return "?";
        }
    }

    @Override
    public String toString() {
        return "ClusterExecutor[" + executorName + ", maxWorkers=" + maxWorkers + ", members=" + slots.length
                + ", state=" + (shutdown ? "shutdown" : "running") + "]";
    }

    // ------------------------------------------------------------------ membership

    private final class Membership implements InitialMembershipListener {
        @Override
        public void init(InitialMembershipEvent event) {
            synchronized (membershipLock) {
                List<MemberSlot> list = new ArrayList<>();
                for (Member m : event.getMembers()) {
                    if (eligible(m)) {
                        list.add(new MemberSlot(m));
                        membersSeen++;
                    }
                }
                slots = list.toArray(new MemberSlot[0]);
                membershipLock.notifyAll();
            }
        }

        @Override
        public void memberAdded(MembershipEvent event) {
            Member m = event.getMember();
            if (!eligible(m)) {
                return;
            }
            synchronized (membershipLock) {
                for (MemberSlot s : slots) {
                    if (s.member.getUuid().equals(m.getUuid())) {
                        return;
                    }
                }
                MemberSlot[] next = Arrays.copyOf(slots, slots.length + 1);
                next[next.length - 1] = new MemberSlot(m);
                membersSeen++;
                slots = next;
                membershipLock.notifyAll();
            }
            pump();
        }

        @Override
        public void memberRemoved(MembershipEvent event) {
            Member m = event.getMember();
            MemberSlot gone = null;
            synchronized (membershipLock) {
                MemberSlot[] s = slots;
                List<MemberSlot> keep = new ArrayList<>(s.length);
                for (MemberSlot slot : s) {
                    if (slot.member.getUuid().equals(m.getUuid())) {
                        gone = slot;
                    } else {
                        keep.add(slot);
                    }
                }
                if (gone == null) {
                    return;
                }
                gone.removed = true;
                slots = keep.toArray(new MemberSlot[0]);
            }
            for (Attempt a : gone.attempts) {
                if (a.settle()) {
                    memberLost(a.call, gone.member);
                }
            }
            pump();
        }

        private boolean eligible(Member m) {
            return memberSelector == null || memberSelector.select(m);
        }
    }

    /** One member as this executor sees it. */
    private static final class MemberSlot {
        final Member member;
        final Instant seenAt = Instant.now();
        final AtomicInteger inFlight = new AtomicInteger();
        final LongAdder completed = new LongAdder();
        final Set<Attempt> attempts = ConcurrentHashMap.newKeySet();
        /**
         * Set when the member is known to be gone: under 'membershipLock' before the slot's attempts
         * are failed, or by a Hazelcast failure that says the member left. Never cleared (a member
         * that comes back has a new UUID, hence a new slot).
         */
        volatile boolean removed;

        MemberSlot(Member member) {
            this.member = member;
        }

        String name() {
            return member.getAddress().getHost() + ":" + member.getAddress().getPort() + (member.localMember() ? " (this)" : "");
        }

        long pid() {
            String pid = member.getAttribute(ClusterNode.PID_ATTRIBUTE);
            if (pid == null) {
                return -1L;
            }
            try {
                return Long.parseLong(pid);
            } catch (NumberFormatException e) {
                return -1L;
            }
        }
    }

    /** A submitted call: its future, and what is sent. */
    private static final class Call<T> {
        final TrackedFuture<T> future;
        final RemoteCall remote;
        /** Written by whoever settled the previous attempt, before dispatching the next one. */
        int redeliveries;
        /** Written by whoever settled the previous attempt, before dispatching the next one. */
        boolean retried;

        Call(TrackedFuture<T> future, RemoteCall remote) {
            this.future = future;
            this.remote = remote;
        }
    }

    /** One sending of a call to one member; settled exactly once. */
    private final class Attempt implements ExecutionCallback<RemoteCall.Outcome> {
        final Call<?> call;
        final MemberSlot slot;
        private final AtomicBoolean settled = new AtomicBoolean();

        Attempt(Call<?> call, MemberSlot slot) {
            this.call = call;
            this.slot = slot;
        }

        boolean settle() {
            if (!settled.compareAndSet(false, true)) {
                return false;
            }
            slot.attempts.remove(this);
            slot.inFlight.decrementAndGet();
            return true;
        }

        @Override
        public void onResponse(RemoteCall.Outcome outcome) {
            if (settle()) {
                slot.completed.increment();
                if (outcome.kind() == RemoteCall.Outcome.INITIALIZER_FAILED) {
                    complete(call, outcome, slot.member); // breaks the executor before the permit is free
                    permits.incrementAndGet();
                } else {
                    permits.incrementAndGet();
                    complete(call, outcome, slot.member);
                }
            }
            pump();
        }

        @Override
        public void onFailure(Throwable t) {
            if (settle()) {
                handleFailure(this, t);
            }
            pump();
        }
    }

    // ------------------------------------------------------------------ serializable adapters

    /** A Runnable sent as a Callable. */
    private static final class RunnableCall implements Callable<Void>, Serializable {
        private static final long serialVersionUID = 1L;
        private final Runnable fn;

        RunnableCall(Runnable fn) {
            this.fn = fn;
        }

        @Override
        public Void call() {
            fn.run();
            return null;
        }
    }

    /** One chunk of a map: applies the function to each item in order. */
    private static final class ChunkCall<T, R> implements Callable<List<R>>, Serializable {
        private static final long serialVersionUID = 1L;
        private final Function<? super T, ? extends R> fn;
        private final ArrayList<T> items;

        ChunkCall(Function<? super T, ? extends R> fn, List<T> items) {
            this.fn = fn;
            this.items = new ArrayList<>(items);
        }

        @Override
        public List<R> call() {
            List<R> out = new ArrayList<>(items.size());
            for (T item : items) {
                out.add(fn.apply(item));
            }
            return out;
        }
    }

    // ------------------------------------------------------------------ builder

    /**
     * Builds a {@link ClusterExecutor}. Either give an existing {@link #hazelcastInstance} or let the
     * executor start an embedded member from the networking options ({@link #clusterName},
     * {@link #members}, {@link #networkInterface}, {@link #port}, {@link #memberPoolSize},
     * {@link #configCustomizer}); the two cannot be combined.
     */
    public static final class Builder {
        private HazelcastInstance instance;
        private boolean embeddedOptionSet;
        private String clusterName = ClusterNode.DEFAULT_CLUSTER_NAME;
        private List<String> members = List.of(ClusterNode.DEFAULT_INTERFACE);
        private String networkInterface = ClusterNode.DEFAULT_INTERFACE;
        private int port = ClusterNode.DEFAULT_PORT;
        private int memberPoolSize = ExecutorConfig.DEFAULT_POOL_SIZE;
        private Consumer<Config> configCustomizer;
        private String executorName = ClusterNode.DEFAULT_EXECUTOR_NAME;
        private int maxWorkers;
        private boolean retryOnMemberLoss;
        private MemberSelector memberSelector;
        private byte[] initializerBytes;

        private Builder() {
        }

        /**
         * A call that each member thread runs once before it runs its first call of this executor
         * (Hazelcast's threads are shared by every executor, so "once per worker" means once per member
         * thread and executor). If it throws, the executor is broken: that call and every waiting call
         * fail with {@link BrokenExecutor}, and so does every later submit.
         *
         * @param initializer the initializer; serializable, with what it captures
         * @return this builder
         * @throws IllegalArgumentException if it cannot be serialized (the message names the class)
         */
        public Builder initializer(SerializableRunnable initializer) {
            Objects.requireNonNull(initializer, "initializer");
            try {
                this.initializerBytes = Wire.toBytes(initializer);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot send the initializer to cluster members: "
                        + Wire.whyNotSerializable(initializer, e), e);
            }
            return this;
        }

        /**
         * Uses an existing member (or client) instead of starting one. The executor never shuts it down.
         *
         * @param instance the instance
         * @return this builder
         */
        public Builder hazelcastInstance(HazelcastInstance instance) {
            this.instance = Objects.requireNonNull(instance, "instance");
            return this;
        }

        /**
         * The cluster name of the embedded member (default {@code futures}); it joins only members of
         * the same name.
         *
         * @param clusterName the name
         * @return this builder
         */
        public Builder clusterName(String clusterName) {
            this.clusterName = requireText(clusterName, "clusterName");
            embeddedOptionSet = true;
            return this;
        }

        /**
         * The addresses where the embedded member looks for the others, {@code host} or
         * {@code host:port} (default {@code 127.0.0.1}: ports 5701-5703 on this machine).
         *
         * @param members the addresses
         * @return this builder
         */
        public Builder members(String... members) {
            return members(List.of(members));
        }

        /**
         * As {@link #members(String...)}.
         *
         * @param members the addresses
         * @return this builder
         */
        public Builder members(List<String> members) {
            for (String m : Objects.requireNonNull(members, "members")) {
                requireText(m, "members[]");
            }
            this.members = List.copyOf(members);
            embeddedOptionSet = true;
            return this;
        }

        /**
         * The address the embedded member binds to (default {@code 127.0.0.1}, loopback only). To
         * form a cluster of several machines, give this machine's address on the network the members
         * share.
         *
         * @param networkInterface an address, or a Hazelcast interface pattern such as {@code 10.0.0.*}
         * @return this builder
         */
        public Builder networkInterface(String networkInterface) {
            this.networkInterface = requireText(networkInterface, "networkInterface");
            embeddedOptionSet = true;
            return this;
        }

        /**
         * The first port the embedded member tries (default 5701); the next free one is taken if it is
         * in use.
         *
         * @param port the port
         * @return this builder
         */
        public Builder port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be between 1 and 65535, got " + port);
            }
            this.port = port;
            embeddedOptionSet = true;
            return this;
        }

        /**
         * The number of threads that run calls on the embedded member (default 16, Hazelcast's
         * default executor pool size).
         *
         * @param memberPoolSize at least 1
         * @return this builder
         */
        public Builder memberPoolSize(int memberPoolSize) {
            if (memberPoolSize < 1) {
                throw new IllegalArgumentException("memberPoolSize must be at least 1, got " + memberPoolSize);
            }
            this.memberPoolSize = memberPoolSize;
            embeddedOptionSet = true;
            return this;
        }

        /**
         * Changes the embedded member's configuration after the defaults were applied (security,
         * discovery, properties ...).
         *
         * @param customizer called once with the configuration
         * @return this builder
         */
        public Builder configCustomizer(Consumer<Config> customizer) {
            this.configCustomizer = Objects.requireNonNull(customizer, "customizer");
            embeddedOptionSet = true;
            return this;
        }

        /**
         * The name of the Hazelcast executor that runs the calls (default {@code futures}).
         *
         * @param executorName the name
         * @return this builder
         */
        public Builder executorName(String executorName) {
            this.executorName = requireText(executorName, "executorName");
            return this;
        }

        /**
         * The number of calls this executor keeps in flight on the cluster at most; the others wait
         * locally. Default: the member pool size times the number of eligible members at start.
         *
         * @param maxWorkers at least 1
         * @return this builder
         */
        public Builder maxWorkers(int maxWorkers) {
            if (maxWorkers <= 0) {
                throw new IllegalArgumentException("maxWorkers must be greater than 0, got " + maxWorkers);
            }
            this.maxWorkers = maxWorkers;
            return this;
        }

        /**
         * Whether a call whose member left while running it is sent once more to another member
         * (default {@code false}: such calls fail with {@link MemberLeftException}, at-most-once). With
         * {@code true} a call may run twice: use it only for calls that are safe to repeat.
         *
         * @param retry whether to retry once
         * @return this builder
         */
        public Builder retryOnMemberLoss(boolean retry) {
            this.retryOnMemberLoss = retry;
            return this;
        }

        /**
         * Which members receive calls (default: all, this one included).
         *
         * @param selector the selector, e.g. {@code m -> !m.localMember()}
         * @return this builder
         */
        public Builder memberSelector(MemberSelector selector) {
            this.memberSelector = Objects.requireNonNull(selector, "selector");
            return this;
        }

        /**
         * Starts (or joins) the member if needed and creates the executor.
         *
         * @return a new executor
         * @throws IllegalStateException if both an instance and embedded-member options were given
         */
        public ClusterExecutor build() {
            if (instance != null) {
                if (embeddedOptionSet) {
                    throw new IllegalStateException("the networking options (clusterName, members, networkInterface, port,"
                            + " memberPoolSize, configCustomizer) configure an embedded member; they cannot be combined"
                            + " with hazelcastInstance(...): configure that instance instead");
                }
                return new ClusterExecutor(this, instance, false);
            }
            Config config = ClusterNode.config(clusterName, networkInterface, port, members, executorName, memberPoolSize);
            if (configCustomizer != null) {
                configCustomizer.accept(config);
            }
            HazelcastInstance hz = Hazelcast.newHazelcastInstance(config);
            try {
                return new ClusterExecutor(this, hz, true);
            } catch (RuntimeException | Error e) {
                hz.shutdown();
                throw e;
            }
        }

        private static String requireText(String value, String name) {
            Objects.requireNonNull(value, name);
            if (value.isBlank()) {
                throw new IllegalArgumentException(name + " must not be blank");
            }
            return value;
        }
    }
}

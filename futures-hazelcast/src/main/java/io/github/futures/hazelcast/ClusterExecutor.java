package io.github.futures.hazelcast;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MemberSelector;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.core.MemberLeftException;
import io.github.futures.BrokenExecutor;
import io.github.futures.Executor;
import io.github.futures.Future;
import io.github.futures.MapOptions;
import io.github.futures.SerializableRunnable;
import io.github.futures.SerializingExecutor;
import io.github.futures.spi.CallInterceptor;
import io.github.futures.spi.ExecutorSnapshot;
import io.github.futures.spi.ExitingThreads;
import io.github.futures.MapSupport;
import io.github.futures.spi.ObservableExecutor;
import io.github.futures.spi.PoolControl;
import io.github.futures.spi.PoolState;
import io.github.futures.spi.Resizable;
import io.github.futures.spi.Serialization;
import io.github.futures.spi.TaskStats;
import io.github.futures.spi.Terminable;
import io.github.futures.ScopedCall;
import io.github.futures.TrackedFuture;
import io.github.futures.spi.WorkerSnapshot;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
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
 * (see {@link ClusterNode#config}) that joins the other members listed. That member is the
 * executor's: Hazelcast's own JVM shutdown hook is off for it, and the executor stops it itself,
 * after the calls it serves (for this executor and for the other members' executors) have ended:
 * on {@link #shutdown} / {@link #close()} once this executor's calls are done, or, if nothing closed
 * the executor, at JVM exit (SIGTERM, Ctrl-C, {@code System.exit}), as CPython's executors finish
 * their work at interpreter exit ({@link Builder#endAtJvmExit(boolean)}). Calls that reach a
 * leaving member are sent to the other members.
 * Given an existing {@link HazelcastInstance} ({@link Builder#hazelcastInstance}), the executor uses
 * it and never shuts it (nor its {@code IExecutorService}) down. Every member that runs calls, this
 * one included, must have the application's classes on its class path.
 *
 * <h2>Calls</h2>
 * Calls travel serialized, as for {@link io.github.futures.ProcessPoolExecutor}: a call (with what it
 * captures) must be {@link Serializable}; {@code submit} serializes it at once and throws
 * {@link IllegalArgumentException} naming the class at fault if that fails. Results and exceptions
 * come back serialized; a call's exception keeps its type, message and remote stack trace. Each call
 * goes to the eligible member with the fewest calls of this executor in flight.
 *
 * <h2>Deserialization filter</h2>
 * Whatever either side reads goes through an {@link ObjectInputFilter}, as in the process pool:
 * {@link Builder#serialFilter(String)}, by default {@link Serialization#DEFAULT_FILTER}, plus a
 * refusal of any array longer than the message it comes in. The member reads the call (and the
 * initializer) through the filter pattern that travels with the call, so the member side is
 * filtered with the caller's settings without configuring each member; where the pattern leaves a
 * class undecided, the JVM-wide filter of the member ({@code -Djdk.serialFilter=...}) decides. The
 * pattern comes from whoever sent the call, so a member also vetoes by its own filter, whatever the
 * call's pattern allows: an executor's own member by that executor's filter, any other member by
 * {@link Serialization#DEFAULT_FILTER}, each then by its JVM-wide filter; this is how a member's
 * owner or operator refuses more. The caller reads results and exceptions through the
 * same filter. A refused class is not instantiated; the call's future fails with a message naming
 * it and this builder option.
 *
 * <h2>Back-pressure and states</h2>
 * At most {@link #maxWorkers()} calls of this executor are in flight on the cluster at a time; the
 * others wait in a local queue and are sent as earlier ones finish. A waiting call's future is
 * PENDING and can be cancelled; once sent to a member it is RUNNING and can no longer be cancelled
 * (as CPython's process pool does with its call queue): it may already be running there. Each
 * member's own thread count is its Hazelcast executor configuration's pool size. By default the bound
 * is that pool size times the number of members, and follows the members as they join and leave,
 * until {@link #setMaxWorkers} fixes it.
 *
 * <h2>Member loss: at-most-once by default</h2>
 * When a member leaves or dies while it runs calls of this executor, those calls' futures fail
 * promptly with {@link MemberLeftException} naming the member; the call may or may not have run
 * (to its end or partly), and it is not run again: delivery is <b>at-most-once</b>. With
 * {@link Builder#retryOnMemberLoss(boolean) retryOnMemberLoss(true)} each such call is sent once more,
 * to another member, and only fails if that member is lost too: delivery is then <b>at-least-once</b>
 * and calls must be safe to repeat. A call that never reached its member (the member was already gone
 * or leaving) is always sent elsewhere. The executor itself is not broken by a member loss and keeps
 * serving with the members that remain.
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
public final class ClusterExecutor implements SerializingExecutor, ObservableExecutor, Terminable, PoolControl, Resizable {

    /*
     * Implementation note.
     *
     *   submit -> serialize (Serialization checks) -> Dispatcher: waiting -> permit -> Attempt
     *          -> IExecutorService.submitToMember -> member: RemoteCall (filter, ServedCalls) -> Outcome
     *          -> Dispatcher settles the Attempt (or MemberTable's removal does) -> future done
     *          -> callDone(): 'outstanding'--, and after shutdown the termination steps below.
     *
     * The parts: Dispatcher (queue, permits, attempts, retries, broken state; its own note and
     * diagram), MemberTable (the members and the choice of one; its own note), RemoteCall (the member
     * side), ClusterNode (the embedded member's configuration, start and leaving), ClusterExitHook.
     *
     * Shutdown: 'shutdown' is volatile, set once. 'outstanding' counts accepted calls whose futures
     * are not done (incremented before the shutdown check in submit, decremented by a done callback),
     * and the tasks handed to completion threads, from the hand-off until the task (its futures' other
     * callbacks included) returned (Settling): so shutdown(wait=true) returns after the callbacks.
     * Waiters in shutdown(wait=true) and awaitTermination block on 'quiescent' under
     * 'terminationLock', which finishers take only after shutdown. When shutdown is set and
     * 'outstanding' reaches zero, onQuiescent runs once ('quiesced' CAS): it removes the membership
     * listener and, for an owned member, starts its leaving in a thread of its own (ClusterNode.leave:
     * refuse new calls, wait for the served ones, at most 'leaveDrain', shut down); 'memberGone'
     * completes when that is over (at once for a member that is not ours). States:
     * running -> shut down -> quiescent -> terminated ('memberGone' done); abort() may shorten
     * 'leaveDrain' and abandon the calls in flight, but the states are the same.
     */

    private static final System.Logger LOG = System.getLogger(ClusterExecutor.class.getName());

    private static final String DESTINATION = ClusterBuilderBase.DESTINATION;

    private final String id = UUID.randomUUID().toString();
    private final HazelcastInstance hazelcast;
    private final boolean ownsMember;
    private final String executorName;
    private final int memberPoolSize;
    private final boolean retryOnMemberLoss;
    private final byte[] initializer;
    private final String filterPattern;
    private final Duration drainTimeout;
    private final TaskStats stats = new TaskStats();
    private final Dispatcher dispatcher;
    /** Gives each call its scope, or null (then nothing is made per call). */
    private final CallInterceptor interceptor;
    /** This executor as the interceptor sees it: its Hazelcast executor's name, kind "cluster". */
    private final CallInterceptor.CallInfo callInfo;

    private final AtomicLong outstanding = new AtomicLong();
    private volatile boolean shutdown;
    private final AtomicBoolean quiesced = new AtomicBoolean();
    /** Threads running a task on a completion thread of this executor ({@link Settling}). */
    private final Set<Thread> settlingThreads = ConcurrentHashMap.newKeySet();
    /** How long an owned member waits for the calls it serves when it leaves; abort() shortens it. */
    private volatile Duration leaveDrain;
    private final CompletableFuture<Void> memberGone = new CompletableFuture<>();
    private final ReentrantLock terminationLock = new ReentrantLock();
    /** The outstanding counts held by threads waiting in {@link #awaitOutstanding} for the others. Guarded by terminationLock. */
    private long ownWaits;
    private final Condition quiescent = terminationLock.newCondition();

    private ClusterExecutor(Builder b, HazelcastInstance hazelcast, boolean ownsMember) {
        this.hazelcast = hazelcast;
        this.ownsMember = ownsMember;
        this.executorName = b.executorName;
        this.retryOnMemberLoss = b.retryOnMemberLoss;
        this.initializer = b.initializerBytes;
        this.filterPattern = b.serialFilter;
        this.drainTimeout = b.drainTimeout;
        this.leaveDrain = b.drainTimeout;
        this.interceptor = b.callInterceptor;
        this.callInfo = new CallInterceptor.CallInfo(b.executorName, "cluster");
        ObjectInputFilter filter = Serialization.filter(filterPattern);
        IExecutorService service = hazelcast.getExecutorService(executorName);
        this.memberPoolSize = ClusterBuilderBase.configuredPoolSize(hazelcast, executorName);
        int eligible = MemberTable.eligibleNow(hazelcast, b.memberSelector);
        // Default: enough calls in flight to fill every member's pool, and no more (the rest wait here,
        // where they can still be cancelled, rather than in the members' queues, where they cannot); it
        // follows the members as they join and leave.
        int maxWorkers = b.maxWorkers > 0 ? b.maxWorkers : Math.max(1, memberPoolSize * Math.max(1, eligible));
        this.dispatcher = new Dispatcher(hazelcast, service, executorName, maxWorkers,
                b.maxWorkers > 0 ? 0 : memberPoolSize, retryOnMemberLoss, b.memberSelector, filter, Wire.loader(),
                new Settling());
        // Last: from here on membership events may arrive, and they use the fields above.
        this.dispatcher.members.register();
        if (b.endAtJvmExit) {
            ClusterExitHook.register(this, ownsMember);
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
     * The number of calls this executor keeps in flight on the cluster at most. Unless the builder or
     * {@link #setMaxWorkers} set it, it is the member pool size times the number of eligible members now: it grows as members join
     * and shrinks as they leave (calls already in flight then finish; no new one is sent until fewer
     * than the new bound are in flight).
     *
     * @return {@code maxWorkers}
     */
    @Override
    public int maxWorkers() {
        return dispatcher.maxWorkers();
    }

    /**
     * {@inheritDoc} Here the bound becomes fixed: it no longer follows the members as they join and leave.
     * Growing sends waiting calls at once; shrinking lets the calls in flight finish first.
     */
    @Override
    public void setMaxWorkers(int maxWorkers) {
        if (maxWorkers < 1) {
            throw new IllegalArgumentException("maxWorkers must be at least 1 (the calls of this executor in flight"
                    + " on the cluster at a time), got " + maxWorkers);
        }
        if (shutdown) {
            throw new IllegalStateException("cannot resize executor '" + executorName + "' after shutdown");
        }
        dispatcher.setMaxWorkers(maxWorkers);
    }

    /** {@inheritDoc} Here: the calls still waiting locally, not yet sent to a member; those sent go on. */
    @Override
    public int cancelPending() {
        return dispatcher.cancelPending();
    }

    /** Refused: the calls run on the members' threads, in their JVMs; use the members' own tools ({@code jstack}). */
    @Override
    public String threadDump() {
        throw new UnsupportedOperationException("thread dumps are not supported for cluster pools: the calls of '"
                + executorName + "' run on the members' threads, in their JVMs");
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
        return dispatcher.members.members();
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
        try {
            return dispatcher.members.awaitMembers(n, ServedCalls.nanos(Objects.requireNonNull(timeout, "timeout")));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        }
    }

    /** Waits until exactly {@code n} eligible members receive this executor's calls (a leave is seen); for tests. */
    boolean awaitMemberCount(int n, Duration timeout) throws InterruptedException {
        return dispatcher.members.awaitCount(count -> count == n, ServedCalls.nanos(timeout));
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
        return dispatcher.broken() != null;
    }

    /** How long this executor's JVM exit hook waits for the calls; see {@link Builder#drainTimeout}. */
    Duration drainTimeout() {
        return drainTimeout;
    }

    // ------------------------------------------------------------------ submit

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if {@code fn} is not serializable (the message names the class)
     */
    @Override
    public <T> Future<T> submit(Callable<T> fn) {
        Serialization.requireSerializable(fn, "task", "(SerializableCallable<T>) () -> ...", DESTINATION);
        return enqueue(fn, fn);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if {@code fn} is not serializable (the message names the class)
     */
    @Override
    public Future<Void> submit(Runnable fn) {
        Serialization.requireSerializable(fn, "task", "(SerializableRunnable) () -> ...", DESTINATION);
        return enqueue(Serialization.callable(fn), fn);
    }

    private <T> Future<T> enqueue(Callable<T> call, Object userTask) {
        CallInterceptor ic = interceptor;
        return ic == null ? accept(call, userTask, null)
                : ScopedCall.submit(ic, callInfo, sc -> accept(call, userTask, sc)); // sc: the done callback
    }

    /** Accepts a call; {@code sc} is its scope (ended by the future's done callback), or null. */
    private <T> Future<T> accept(Callable<T> call, Object userTask, ScopedCall sc) {
        checkAccepting();
        RemoteCall remote = new RemoteCall(serialize(call, userTask), id, initializer, filterPattern,
                sc == null ? Map.of() : sc.remoteContext());
        outstanding.incrementAndGet();
        if (shutdown) {
            outstanding.decrementAndGet();
            signalIfShutdown(outstanding.get());
            checkAccepting();
        }
        TrackedFuture<T> future = TrackedFuture.newFuture(stats);
        stats.submitted();
        future.addDoneCallback(f -> callDone());
        if (sc != null) {
            future.addDoneCallback(sc);
        }
        dispatcher.offer(new Dispatcher.Call<>(future, remote, sc));
        return future;
    }

    private static byte[] serialize(Object call, Object userTask) {
        try {
            return Wire.toBytes(call);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(Serialization.notSerializable("task", userTask, e, DESTINATION), e);
        }
    }

    private void checkAccepting() {
        String b = dispatcher.broken();
        if (b != null) {
            throw new BrokenExecutor(b, dispatcher.brokenCause());
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

    /**
     * {@inheritDoc}
     *
     * <p>One call per chunk of {@code options.chunksize()} items.
     *
     * @throws IllegalArgumentException if {@code fn} is not serializable (the message names the class)
     */
    @Override
    public <T, R> Stream<R> map(Function<? super T, ? extends R> fn, Iterable<? extends T> items, MapOptions options) {
        Serialization.requireSerializable(fn, "function", "(SerializableFunction<T, R>) x -> ...", DESTINATION);
        Objects.requireNonNull(items, "items");
        Objects.requireNonNull(options, "options");
        Function<List<T>, Future<List<R>>> submitChunk = (List<T> chunk) -> enqueue(new ChunkCall<T, R>(fn, chunk), fn);
        CallInterceptor ic = interceptor;
        if (ic == null) {
            return MapSupport.<T, R>mapChunked(items, options, submitChunk);
        }
        ScopedCall mapScope = ScopedCall.forMap(ic, callInfo); // see ThreadPoolExecutor.Builder#callInterceptor
        return mapScope.endingOnClose(MapSupport.<T, R>mapChunked(mapScope.endingWhenExhausted(items), options,
                mapScope.submitting(submitChunk)));
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if {@code fn} is not serializable (the message names the class)
     */
    @Override
    public <A, B, R> Stream<R> map(BiFunction<? super A, ? super B, ? extends R> fn,
                                   Iterable<? extends A> a, Iterable<? extends B> b) {
        Serialization.requireSerializable(fn, "function", "(SerializableBiFunction<A, B, R>) (a, b) -> ...", DESTINATION);
        return map(MapSupport.spread(fn), MapSupport.zip(a, b), MapOptions.DEFAULTS);
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

    // ------------------------------------------------------------------ shutdown

    /**
     * {@inheritDoc}
     *
     * <p>Acts on this executor's calls only: it never shuts down the cluster, nor Hazelcast's
     * {@code IExecutorService}. If the executor started its own embedded member, that member leaves
     * the cluster once this executor's calls are done and the calls it serves for other members
     * have ended ({@link Builder#drainTimeout} at most); {@code wait=true} returns after it left.
     * Calls already sent to members are running and are not cancelled.
     */
    @Override
    public void shutdown(boolean wait, boolean cancelFutures) {
        shutdown = true;
        if (cancelFutures) {
            dispatcher.cancelWaiting();
        }
        boolean insideOwnCall = id.equals(RemoteCall.CURRENT_EXECUTOR.get());
        boolean settling = settlingHere();
        if (outstanding.get() == 0L) {
            onQuiescent();
        }
        if (!wait) {
            return;
        }
        // From inside one of our own calls, that call is still outstanding: wait for the others only; so
        // is the settling a done callback runs in.
        boolean interrupted = false;
        while (awaitOutstanding((insideOwnCall ? 1L : 0L) + (settling ? 1L : 0L), Long.MAX_VALUE) < 0L) {
            interrupted = true; // as Python's shutdown(wait=True): an interrupt does not cut the wait short
        }
        if (!insideOwnCall && !settling) {
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

    /**
     * {@inheritDoc}
     *
     * <p>Ended means: every accepted call of this executor is done and, if the executor owns its
     * member, that member has left the cluster.
     *
     * @throws CompletionException wrapping an {@link InterruptedException} if the thread is
     *     interrupted (its interrupt status is kept)
     */
    @Override
    public boolean awaitTermination(Duration timeout) {
        requireShutdown("awaitTermination");
        long deadline = System.nanoTime() + (timeout == null ? Long.MAX_VALUE >> 1 : ServedCalls.nanos(timeout));
        // A done callback's settling cannot end while the callback waits here: wait for the rest, then
        // answer that the executor has not ended (it cannot, before this thread returns).
        boolean settling = settlingHere();
        long left = awaitOutstanding(settling ? 1L : 0L, deadline - System.nanoTime());
        if (left < 0L) {
            Thread.currentThread().interrupt();
            throw new CompletionException(new InterruptedException());
        }
        if (left == 0L || settling) {
            return false;
        }
        return awaitMemberGone(deadline);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Cancels the waiting calls and asks Hazelcast to cancel the running ones (their member
     * threads are interrupted; a call that ignores interrupts runs on). After {@code grace}, calls
     * still in flight are abandoned: their futures fail with {@link io.github.futures.CancelledError}
     * while they may still run on their members. An owned member then leaves, waiting {@code grace}
     * at most for the calls it serves.
     */
    @Override
    public boolean abort(Duration grace) {
        requireShutdown("abort");
        long graceNanos = ServedCalls.nanos(Objects.requireNonNull(grace, "grace"));
        leaveDrain = grace;
        if (ownsMember && !memberGone.isDone()) {
            // The member may have begun to leave already, waiting up to drainTimeout: cut that short too.
            ServedCalls.limit(hazelcast.getName(), grace);
        }
        dispatcher.cancelAll();
        long deadline = System.nanoTime() + graceNanos;
        long left = awaitOutstanding(0L, graceNanos);
        if (left <= 0L) {
            int n = dispatcher.abandonAll();
            LOG.log(System.Logger.Level.WARNING, () -> "abort: " + n + " cluster calls did not end within " + grace
                    + "; their futures fail, though they may still run on their members");
            deadline = System.nanoTime() + graceNanos;
            // Every future is done now; what may still count is done callbacks that have not returned.
            // Abort does not wait for them: the member leaves.
            quiesce(true);
        }
        if (left < 0L) {
            onQuiescent();
            Thread.currentThread().interrupt(); // interrupted while waiting: report what is, wait no more
            return memberGone.isDone();
        }
        return awaitMemberGone(deadline);
    }

    private void requireShutdown(String method) {
        if (!shutdown) {
            throw new IllegalStateException(method + "() needs a shut down executor: call shutdown(false, false) first");
        }
    }

    /**
     * Waits until no more calls are outstanding than {@code own} (0 from outside; the calls and the
     * settling held by the waiting thread itself) and those held by other threads that wait as this one
     * does ({@link #ownWaits}), {@code nanos} at most: a call or callback waiting for the executor's end
     * waits for its other work, not for itself nor for the others waiting as it does (they cannot end
     * before they return: waiting for each other, they would hang for good).
     *
     * @return a positive number if reached, 0 on timeout, -1 if interrupted (then it gave up)
     */
    private long awaitOutstanding(long own, long nanos) {
        long remaining = nanos;
        terminationLock.lock();
        try {
            if (own > 0L) {
                ownWaits += own;
                quiescent.signalAll(); // the others of its kind may be done waiting now
            }
            while (outstanding.get() > (own > 0L ? ownWaits : 0L)) {
                if (remaining <= 0L) {
                    return 0L;
                }
                try {
                    remaining = quiescent.awaitNanos(remaining);
                } catch (InterruptedException e) {
                    return -1L;
                }
            }
            return 1L;
        } finally {
            ownWaits -= own;
            terminationLock.unlock();
        }
    }

    private boolean awaitMemberGone(long deadline) {
        onQuiescent(); // no call outstanding: make sure the leaving has started
        try {
            memberGone.get(Math.max(0L, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(e);
        } catch (ExecutionException impossible) {
            return true;
        }
    }

    /**
     * A task on a completion thread counts as outstanding from its hand-off until it returned, its
     * futures' done callbacks included: {@code shutdown(wait=true)} returns after them, as the thread and
     * process pools' do. {@link #settlingThreads} holds the threads running one, so that such a thread's
     * own waits (a callback's {@code shutdown(wait=true)}) do not wait for itself, and the exit hook does
     * not wait for one inside {@code System.exit}.
     */
    private final class Settling implements Dispatcher.Settling {
        @Override
        public void handedOff() {
            outstanding.incrementAndGet();
        }

        @Override
        public void begins() {
            settlingThreads.add(Thread.currentThread());
        }

        @Override
        public void ended() {
            settlingThreads.remove(Thread.currentThread());
            callDone();
        }
    }

    /** @return whether the current thread is settling calls of this executor (a done callback runs in it) */
    private boolean settlingHere() {
        return settlingThreads.contains(Thread.currentThread());
    }

    /** @return whether a thread settling calls of this executor (a done callback) is inside {@code System.exit} */
    boolean settlingThreadExits() {
        return ExitingThreads.anyCallsExit(settlingThreads);
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
        quiesce(false);
    }

    /** As {@link #onQuiescent()}; with {@code force}, whatever is still outstanding (abort gives up on it). */
    private void quiesce(boolean force) {
        if ((!force && outstanding.get() != 0L) || !quiesced.compareAndSet(false, true)) {
            return;
        }
        dispatcher.members.unregister();
        if (!ownsMember) {
            terminated();
            return;
        }
        // Leave in a thread of our own: this may run in a Hazelcast thread, or inside one of our calls.
        Thread leave = new Thread(() -> {
            try {
                ClusterNode.leave(hazelcast, leaveDrain);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "leaving the cluster failed", e);
            } finally {
                terminated();
            }
        }, "futures-cluster-leave");
        leave.start();
    }

    private void terminated() {
        dispatcher.stopCompletions();
        ClusterExitHook.deregister(this);
        memberGone.complete(null);
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
        MemberTable.Slot[] s = dispatcher.members.slots();
        List<WorkerSnapshot> details = new ArrayList<>(s.length);
        List<String> members = new ArrayList<>();
        for (MemberTable.Slot slot : s) {
            details.add(new WorkerSnapshot(slot.name(), slot.pid(), slot.completed.sum(), slot.seenAt,
                    slot.inFlight.get() > 0));
            members.add(slot.name());
        }
        Map<String, Object> config = new LinkedHashMap<>();
        int maxWorkers = dispatcher.maxWorkers();
        config.put("maxWorkers", maxWorkers);
        config.put("clusterName", clusterNameOrUnknown());
        config.put("executorName", executorName);
        config.put("memberPoolSize", memberPoolSize);
        config.put("retryOnMemberLoss", retryOnMemberLoss);
        config.put("initializer", initializer != null);
        config.put("embeddedMember", ownsMember);
        config.put("memberLosses", dispatcher.memberLosses.sum());
        config.put("retries", dispatcher.retries.sum());
        config.put("serialFilter", filterPattern.isEmpty() ? "default" : filterPattern);
        config.put("members", List.copyOf(members));
        boolean running = hazelcast.getLifecycleService().isRunning();
        String b = dispatcher.broken();
        boolean memberStopped = !shutdown && !running;
        PoolState state = PoolState.of(shutdown, b != null || memberStopped);
        String reason = b != null ? b : memberStopped ? "the Hazelcast member is not running" : null;
        return new ExecutorSnapshot(kind(), state.value(), maxWorkers, s.length, dispatcher.members.membersSeen(),
                stats.pendingCount(), stats.runningCount(), stats.submittedCount(), stats.succeededCount(),
                stats.failedCount(), stats.cancelledCount(), reason, List.copyOf(details),
                Collections.unmodifiableMap(config));
    }

    /** The cluster name, but for the per-user default, whose secret is never shown ({@link DefaultClusterName}). */
    private String clusterNameOrUnknown() {
        try {
            return DefaultClusterName.shown(hazelcast.getConfig().getClusterName());
        } catch (RuntimeException notAvailable) {
            return "?";
        }
    }

    @Override
    public String toString() {
        return "ClusterExecutor[" + executorName + ", maxWorkers=" + dispatcher.maxWorkers() + ", members="
                + dispatcher.members.slots().length + ", state="
                + PoolState.of(shutdown, dispatcher.broken() != null).value() + "]";
    }

    // ------------------------------------------------------------------ builder

    /**
     * Builds a {@link ClusterExecutor}. Either give an existing {@link #hazelcastInstance} or let the
     * executor start an embedded member from the networking options ({@link #clusterName},
     * {@link #members}, {@link #networkInterface}, {@link #port}, {@link #memberPoolSize},
     * {@link #configCustomizer}); the two cannot be combined. The options are described where they
     * are declared; they are checked as they are set.
     */
    public static final class Builder extends ClusterBuilderBase<Builder> {

        private Builder() {
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
            String name = clusterName != null ? clusterName : DefaultClusterName.current().value();
            HazelcastInstance hz = ClusterNode.startOwnedMember(name, networkInterface, port, members,
                    executorName, memberPoolSize, configCustomizer, Wire.filter(serialFilter));
            try {
                return new ClusterExecutor(this, hz, true);
            } catch (RuntimeException | Error e) {
                try {
                    hz.shutdown();
                } finally {
                    Wire.forgetMember(hz.getName());
                }
                throw e;
            }
        }
    }
}

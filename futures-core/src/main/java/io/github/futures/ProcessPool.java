package io.github.futures;

import io.github.futures.process.CallContext;
import io.github.futures.process.Frames;
import io.github.futures.process.StartupArchive;
import io.github.futures.process.Wire;
import io.github.futures.process.WorkerCommand;
import io.github.futures.process.WorkerProcess;
import io.github.futures.spi.ExecutorSnapshot;
import io.github.futures.spi.PoolEvent;
import io.github.futures.spi.PoolState;
import io.github.futures.spi.Serialization;
import io.github.futures.spi.TaskStats;
import io.github.futures.spi.WorkerSnapshot;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The engine of {@link io.github.futures.ProcessPoolExecutor}: the queue, the dispatch of calls to
 * worker processes, breakage, shutdown and the snapshot. Internal: not part of the API, may change
 * without notice.
 *
 * <p>How work flows (compare CPython's {@code process.py}):
 *
 * <pre>
 *  submit ──Frames──▶ Admission ──▶ queue ──dispatch──▶ worker.inFlight ──frame──▶ stdin of worker JVM
 *                                                                                     │ runs the call
 *  future ◀──complete── PoolWorker ◀──listener── WorkerProcess reader ◀──frame── stdout of worker JVM
 * </pre>
 *
 * <p>{@link Frames} builds what is sent and decodes what comes back; {@link WorkerProcess} is one
 * child JVM (start, reader, stderr, death); {@link PoolWorker} is the pool's side of one worker (its
 * state, and the listener of its process); {@link Admission} gets submitted calls into the queue;
 * {@link WorkerRecycler} stops misbehaving calls (cancel(true), call timeouts) and heals workers
 * (deaths under REPLACE_WORKER, memory, idle). Pool events are queued under the lock
 * ({@link PoolEvents}) and published by {@link #unlock()} once it is released.
 *
 * <p>Implementation note.
 *
 * <ul>
 * <li>One lock ({@link #lock}) guards the queue, the list of live workers, every worker's state and
 * in-flight items, {@link #settling}, and the pool state ({@link #shutdown}, {@link #broken}, which
 * are also volatile for lock-free reads on the submit fast path). No I/O and no user code runs under
 * it; the lock only decides what is written where, and the writing happens after it is released,
 * under the worker's own write lock.
 * <li>Submitters never wait for that lock ({@link Admission}: flat combining). Shutdown and breakage
 * set their flag and make the final move of submitted calls in one critical section, so every call
 * whose submit returned is queued (and then runs, is cancelled or fails), and none after.
 * <li>PoolWorker states: PoolWorker.STARTING (process being spawned; not assignable) → PoolWorker.READY (takes work) →
 * PoolWorker.RETIRING (reached maxTasksPerChild or maxWorkerMemory; takes no more; its replacement has started) → PoolWorker.EXITING (EXIT sent, exit expected) → PoolWorker.DEAD.
 * Any state → PoolWorker.DEAD when the process ends. An end that was not expected (no EXIT sent, no
 * terminate/kill asked) breaks the pool.
 * <li>Dispatch: a queued item goes to an idle PoolWorker.READY worker; else a new worker starts (up to
 * maxWorkers, one per queued item not already covered by a starting worker); else it is pipelined
 * to a PoolWorker.READY worker with fewer than {@link #MAX_IN_FLIGHT} items ({@link #DEEP_IN_FLIGHT} under a
 * backlog), so that a worker finds its next call waiting when it finishes one (CPython's
 * EXTRA_QUEUED_CALLS). An item becomes RUNNING when it is first assigned, as in CPython when it
 * enters the call queue. CPython's extra call waits in a shared queue that any free worker takes
 * from; here it was sent to one worker, so when a worker is idle with nothing queued, the pool sends
 * REVOKE for a call waiting behind a busy worker's call: the worker gives it back (REVOKED) unless it
 * started it, and it goes to the front of the queue.
 * <li>A future is completed outside the lock, in the worker's reader thread, after the worker's
 * next call has been sent. Futures failed or cancelled in bulk (a death, a break, a cancelling
 * shutdown) are settled outside the lock too; {@link #settling} counts the threads doing so, and the
 * pool is not terminated before it is 0, so {@code shutdown(wait=true)} never returns while a call
 * it accepted is not done.
 * <li>A frame that cannot be read or handled fails the call it was for, or breaks the pool when the
 * stream cannot be trusted ({@link WorkerProcess}'s guard, {@link PoolWorker#frameFailed}); a future's
 * owner may complete or cancel it from outside at any time, and the pool then drops the outcome.
 * </ul>
 */
final class ProcessPool {

    /**
     * At most this many calls are sent to one worker ahead of their results: 2, so that a busy worker
     * finds its next call waiting (CPython keeps one extra call queued for the whole pool).
     */
    static final int MAX_IN_FLIGHT = 2;

    /**
     * With a backlog of at least {@link #DEEP_BACKLOG_PER_WORKER} queued calls per worker, up to this
     * many are sent ahead: a worker then reads several calls per wake-up and the parent several
     * results. Measured with two workers and tiny calls (interleaved runs on a loaded 2-core machine):
     * depth 1: 58-69k calls/s, 17-21 us of CPU per call; 2: 69-87k, 11-23 us; 4: 83-146k, 7-8 us;
     * 8: 178-224k, 5-7 us. Calls sent ahead count as running and cannot be cancelled (the contract
     * suite's {@code callsDispatchedAhead}), so the depth stays at 4, where most of the gain is;
     * revocation (below) keeps them from waiting behind a long call.
     */
    static final int DEEP_IN_FLIGHT = 4;

    /** Queued calls per worker from which calls are sent {@link #DEEP_IN_FLIGHT} deep. */
    static final int DEEP_BACKLOG_PER_WORKER = 4;

    private static final AtomicInteger POOL_COUNTER = new AtomicInteger();

    final ProcessPoolConfig config;
    private final String name;
    /** Runs the done callbacks of the futures the reader threads complete ({@link PoolFuture#callbackExecutor()}). */
    final CallbackThreads callbacks;
    final List<String> command;
    /** The workers' start-up archive: adds its option to {@link #command} when there is one. */
    final StartupArchive archive;
    final Frames frames;
    final byte[] initFrame;
    private final TaskStats stats = new TaskStats();
    /** Events decided under the lock, published after it is released. */
    final PoolEvents events = new PoolEvents(stats);
    final WorkerRecycler recycler;
    private final AtomicLong ids = new AtomicLong();

    final ReentrantLock lock = new ReentrantLock();
    private final Condition terminatedCondition = lock.newCondition();
    private final Admission<WorkItem, List<Send>> admission = new Admission<>(lock, new Admission.Combiner<>() {
        @Override
        public List<Send> combineLocked() {
            List<Send> sends = new ArrayList<>(2);
            dispatchLocked(sends);
            return sends;
        }

        @Override
        public void afterUnlock(List<Send> sends) {
            send(sends);
            events.publish();
        }
    });
    /** Items not yet sent to a worker, oldest first. Guarded by lock. */
    final ArrayDeque<WorkItem> queue = new ArrayDeque<>();
    /** Makes the cause that carries a worker's stack trace; a class, not a method reference, so no lambda bootstrap in the constructor. */
    private static final Function<String, Throwable> TRACEBACKS = new Function<>() {
        @Override
        public Throwable apply(String trace) {
            return new RemoteTraceback(trace);
        }
    };

    /** Appends to {@link #queue}: a class, not {@code queue::addLast}, whose lambda class a cold JVM's first call would spin. */
    private final Consumer<WorkItem> toQueue = new Consumer<>() {
        @Override
        public void accept(WorkItem item) {
            queue.addLast(item);
        }
    };
    /** Workers not yet PoolWorker.DEAD. Guarded by lock. */
    final List<PoolWorker> workers = new ArrayList<>();
    /** The most workers alive or starting: config's, changed by {@link ProcessPoolControl#setMaxWorkers}. Written under lock. */
    volatile int maxWorkers;
    /** Workers in PoolWorker.STARTING. Guarded by lock. */
    int starting;
    /**
     * Threads settling futures taken out of the pool, outside the lock. Guarded by lock. Callbacks handed
     * to the callback threads count apart, without the lock ({@link CallbackThreads#running()}).
     */
    int settling;
    /**
     * How many of those {@link #settling} counts the current thread holds while it cancels or fails
     * futures on a caller's thread ({@link #settlingHere()}): their done callbacks run in it, so a
     * shutdown(wait=true) in such a callback does not wait for this thread, which would wait for
     * itself. A one-element array while the thread settles, otherwise unset.
     */
    private final ThreadLocal<int[]> settlingHere = new ThreadLocal<>();
    /**
     * The {@link #settling} and callback counts held by threads that wait for the pool's end while they
     * hold them ({@link #awaitTermination}): each of those waits for the others' work, not for theirs.
     * Guarded by lock.
     */
    private int ownWaits;
    /** Workers ever started. Written under lock; read without it as a hint. */
    private volatile long workersStarted;
    /** Written under lock, read anywhere. */
    private volatile boolean shutdown;
    /** Why the pool is broken, or null. Written under lock (set by a break, cleared by a rebuild). */
    volatile String broken;
    /** Set when the JVM's exit hook shut this pool down: submits are refused with that reason. */
    private volatile boolean jvmExiting;
    /** Whether TERMINATED was published. Guarded by lock. */
    private boolean terminatedPublished;

    private ProcessPool(ProcessPoolConfig config, byte[] initializerFrame, RecoveryOptions recovery) {
        this.config = config;
        this.maxWorkers = config.maxWorkers();
        this.name = config.name() != null ? config.name() : "ProcessPoolExecutor-" + POOL_COUNTER.getAndIncrement();
        this.frames = new Frames(config.maxMessageSize(), config.serialFilter(), config.loader(), TRACEBACKS);
        this.initFrame = initializerFrame;
        this.recycler = new WorkerRecycler(this, recovery);
        this.callbacks = new CallbackThreads(this, name);
        List<String> args = List.of(Integer.toString(config.maxMessageSize()),
                config.serialFilter() == null ? "-" : config.serialFilter(), recovery.maxWorkerMemory() > 0L ? "heap" : "-");
        this.command = List.copyOf(WorkerCommand.build(WorkerCommand.java(config.javaExecutable()),
                WorkerCommand.jvmOptions(config.fastStartupOptions(), config.jvmOptions()), config.classPath(), args,
                null));
        this.archive = new StartupArchive(config.startupArchive(),
                config.startupArchiveDirectory() == null ? null : config.startupArchiveDirectory().toFile(), command);
    }

    /** @return a pool with CPython's behaviour on misbehaving calls; see {@link #create(ProcessPoolConfig, RecoveryOptions)} */
    public static ProcessPool create(ProcessPoolConfig config) {
        return create(config, RecoveryOptions.DEFAULTS);
    }

    /**
     * Creates a pool, checking that the initializer can be sent to workers.
     *
     * @param config the configuration
     * @param recovery how misbehaving calls are stopped and workers healed
     * @return the pool
     * @throws IllegalArgumentException if the initializer cannot be serialized, or the filter is malformed
     */
    public static ProcessPool create(ProcessPoolConfig config, RecoveryOptions recovery) {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(recovery, "recovery");
        byte[] init = null;
        if (config.initializer() != null) {
            init = Frames.serialize(config.initializer(), Wire.INIT, 0L, "initializer", config.maxMessageSize());
        }
        if (config.serialFilter() != null) {
            Serialization.filter(config.serialFilter()); // fails early on a bad pattern
        }
        ProcessPool pool = new ProcessPool(config, init, recovery);
        ParentWarmUp.start();
        return pool;
    }

    /** The default maximum message size: 128 MiB. */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = Wire.DEFAULT_MAX_MESSAGE_SIZE;

    /** @return the pool's name: the builder's thread name prefix, or {@code ProcessPoolExecutor-<k>} */
    public String name() {
        return name;
    }

    /** @return the command that starts a worker (for diagnostics) */
    public List<String> command() {
        return command;
    }

    /** @return the JVM options every worker gets, defaults merged (for the configuration report) */
    public List<String> jvmOptions() {
        return WorkerCommand.jvmOptions(config.fastStartupOptions(), config.jvmOptions());
    }

    /** @return the counters */
    public TaskStats stats() {
        return stats;
    }

    // ------------------------------------------------------------------ submit

    /**
     * Schedules a call.
     *
     * @param task a serializable call
     * @param <T> the result type
     * @return its future
     * @throws IllegalArgumentException if the call cannot be serialized, or is too large
     * @throws RejectedExecutionException after shutdown
     * @throws BrokenProcessPool if the pool is broken
     */
    @SuppressWarnings("unchecked")
    public <T> Future<T> submit(Callable<T> task, ScopedCall sc) {
        Objects.requireNonNull(task, "fn");
        checkAccepting();
        if (workersStarted == 0L) {
            prestart();
        }
        long id = ids.incrementAndGet();
        return (Future<T>) enqueue(id, frames.task(task, id), WorkerRecycler.describe(task), sc);
    }

    /**
     * Schedules one chunk of a map: {@code fn} applied to each item, the results in a list. The
     * function is serialized once while it is the same stateless object, and items and results of
     * simple types (numbers, booleans, strings) travel without Java serialization.
     *
     * @param fn a serializable function
     * @param items the chunk
     * @param <R> the result type
     * @return the future of the results
     * @throws IllegalArgumentException if the function or an item cannot be serialized, or it is too large
     * @throws RejectedExecutionException after shutdown
     * @throws BrokenProcessPool if the pool is broken
     */
    @SuppressWarnings("unchecked")
    public <R> Future<List<R>> submitMap(Function<?, ?> fn, List<?> items, ScopedCall sc) {
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(items, "items");
        checkAccepting();
        if (workersStarted == 0L) {
            prestart();
        }
        long id = ids.incrementAndGet();
        return (Future<List<R>>) enqueue(id, frames.map(fn, items, id), "map of " + WorkerRecycler.describe(fn), sc);
    }

    /** Queues a call through the {@link Admission}; refused if the pool closed first. {@code sc}: its scope, or null. */
    private Future<?> enqueue(long id, byte[] frame, String what, ScopedCall sc) {
        byte[] sent = sc == null ? frame : CallContext.attach(frame, sc.remoteContext(), config.maxMessageSize());
        PoolFuture f = new PoolFuture(stats, recycler);
        admission.acquirePending(f); // maxPending: rejected at once when the pool has that many
        WorkItem item = new WorkItem(id, f, sent, what, sc);
        f.item = item;
        stats.submitted();
        while (!admission.offer(item)) { // refused by a close; again if a rebuild has undone it since
            try {
                checkAccepting();
            } catch (RuntimeException refused) {
                stats.unsubmitted();
                f.releasePendingSlot();
                throw refused;
            }
        }
        if (sc != null) {
            f.addDoneCallback(sc); // ends the scope, whichever way the future ends
        }
        return f;
    }

    /**
     * Bounds the calls pending in this pool (Python has no such bound): a submit beyond is rejected
     * at once. Called by the executor's builder before the pool takes its first call.
     *
     * @param maxPending the most pending calls, at least 1
     */
    public void limitPending(int maxPending) {
        admission.limitPending(new PendingLimit(maxPending, name, stats));
    }

    /** Releases the lock, then moves on what submitters queued while it was held. */
    void unlock() {
        admission.unlock();
        events.publish();
    }

    /**
     * Starts workers now, in parallel, until {@code maxWorkers} are alive or starting.
     *
     * @return how many it started
     * @throws RejectedExecutionException after shutdown
     * @throws BrokenProcessPool if the pool is broken
     */
    public int prestartWorkers() {
        checkAccepting();
        int started = 0;
        lock.lock();
        try {
            while (broken == null && !shutdown && activeCountLocked() < maxWorkers) {
                startWorkerLocked();
                started++;
            }
        } finally {
            unlock();
        }
        ParentWarmUp.startSubmitPath(); // the first calls then find this JVM's side warm too
        return started;
    }

    /** Starts the first worker before the first call is serialized, so that both overlap. */
    private void prestart() {
        lock.lock();
        try {
            if (workersStarted == 0L && broken == null && !shutdown) {
                startWorkerLocked();
            }
        } finally {
            unlock();
        }
    }

    private void checkAccepting() {
        String b = broken;
        if (b != null) {
            throw new BrokenProcessPool(b);
        }
        if (shutdown) {
            throw new RejectedExecutionException(jvmExiting
                    ? "cannot schedule new futures after JVM shutdown began"
                    : "cannot schedule new futures after shutdown");
        }
    }

    /**
     * The JVM is exiting: stop taking calls (with a message that says so) and let the ones
     * accepted run, as CPython's {@code _python_exit} does; the exit hook then waits for the pool.
     */
    public void shutdownForJvmExit() {
        jvmExiting = true;
        shutdown(false, false);
    }

    /**
     * @return a copy of the pool's own threads, for the exit hook: one per live worker (its reader), and
     *     the threads running done callbacks
     */
    public List<Thread> threads() {
        List<Thread> threads = callbacks.threads();
        lock.lock();
        try {
            for (PoolWorker w : workers) {
                threads.add(w.process.thread);
            }
        } finally {
            unlock();
        }
        return threads;
    }

    // ------------------------------------------------------------------ dispatch (under lock)

    /** Decides what goes where; appends the frames to write to {@code sends}. */
    void dispatchLocked(List<Send> sends) {
        if (broken != null) {
            return;
        }
        admission.moveLocked(toQueue);
        // 1. Idle workers first.
        while (!queue.isEmpty()) {
            PoolWorker idle = null;
            for (PoolWorker w : workers) {
                if (w.state == PoolWorker.READY && w.inFlight.isEmpty()) {
                    idle = w;
                    break;
                }
            }
            if (idle == null || !assignLocked(idle, sends)) {
                break;
            }
        }
        // 2. Start workers for what is left, one per queued item not covered by a starting worker.
        int need = queue.size() - starting;
        while (need > 0 && activeCountLocked() < maxWorkers) {
            startWorkerLocked();
            need--;
        }
        // 3. Pipeline to busy workers what the starting ones will not take; deeper under a backlog.
        while (queue.size() > starting) {
            int depth = queue.size() >= DEEP_BACKLOG_PER_WORKER * Math.max(1, workers.size()) ? DEEP_IN_FLIGHT : MAX_IN_FLIGHT;
            PoolWorker best = null;
            for (PoolWorker w : workers) {
                if (w.state == PoolWorker.READY && w.inFlight.size() < depth
                        && (best == null || w.inFlight.size() < best.inFlight.size())) {
                    best = w;
                }
            }
            if (best == null || !assignLocked(best, sends)) {
                break;
            }
        }
        // 3b. A worker is idle and nothing is queued: take back a call sent ahead to a busy worker (it
        //     may wait there behind a long call); the worker returns it unless it has started it.
        //     Not after shutdown: every worker has been told to exit after its calls (4).
        if (queue.isEmpty() && !shutdown) {
            for (PoolWorker idle : workers) {
                if (idle.state == PoolWorker.READY && idle.inFlight.isEmpty()) {
                    revokeOneLocked(sends);
                }
            }
        }
        // 4. Shut down and nothing queued: nothing more will be sent, so every worker is told to exit
        //    after the calls it has (it runs them first). A worker whose protocol stream a call garbled
        //    (the parent waits for a frame that never ends) then still ends, and so does shutdown.
        if (shutdown && queue.isEmpty()) {
            for (PoolWorker w : workers) {
                if (w.state == PoolWorker.READY || w.state == PoolWorker.RETIRING) {
                    exitLocked(w, sends);
                }
            }
        }
    }

    /** Sends the oldest live queued item to {@code w}; false if the queue had none. */
    private boolean assignLocked(PoolWorker w, List<Send> sends) {
        for (WorkItem item; (item = queue.pollFirst()) != null; ) {
            if (item.started && item.future.done()) {
                continue; // sent back after cancel(true), or completed by its owner
            }
            if (!item.started) {
                boolean run;
                try {
                    run = item.future.setRunningOrNotifyCancel();
                } catch (InvalidStateError completedElsewhere) {
                    run = false; // its owner completed it while it was queued
                }
                if (!run) {
                    continue;
                }
                item.started = true;
                if (item.scope != null) {
                    sends.add(new Send(w, null, item.scope)); // its scope hears of the start, outside the lock
                }
            }
            w.inFlight.add(item);
            w.assigned++;
            if (w.inFlight.size() == 1) {
                recycler.headLocked(w); // it runs it now: its call timeout starts
            }
            if (config.maxTasksPerChild() > 0 && w.assigned >= config.maxTasksPerChild()) {
                recycler.retireLocked(w, "max-tasks");
            }
            sends.add(new Send(w, item.frame, null));
            return true;
        }
        return false;
    }

    /** Asks the worker with the most calls sent ahead to give the last of them back (never its first call). */
    private void revokeOneLocked(List<Send> sends) {
        WorkItem target = null;
        PoolWorker from = null;
        for (PoolWorker w : workers) {
            if ((w.state == PoolWorker.READY || w.state == PoolWorker.RETIRING) && (from == null || w.inFlight.size() > from.inFlight.size())) {
                for (int i = w.inFlight.size() - 1; i >= 1; i--) {
                    WorkItem item = w.inFlight.get(i);
                    if (!item.revoking) {
                        target = item;
                        from = w;
                        break;
                    }
                }
            }
        }
        if (target != null) {
            target.revoking = true;
            sends.add(new Send(from, Frames.revoke(target.id), null));
        }
    }

    void exitLocked(PoolWorker w, List<Send> sends) {
        w.state = PoolWorker.EXITING;
        sends.add(new Send(w, Frames.EXIT, null));
    }

    int activeCountLocked() {
        int n = 0;
        for (PoolWorker w : workers) {
            if (w.state <= PoolWorker.RETIRING) {
                n++;
            }
        }
        return n;
    }

    void startWorkerLocked() {
        long n = workersStarted++;
        PoolWorker w = new PoolWorker(this, name + "-worker-" + n);
        workers.add(w);
        starting++;
        w.process.thread.start();
    }

    private boolean terminatedLocked() {
        return workGoneLocked() && settlingLocked() == 0;
    }

    /** Shut down, nothing queued, no worker left: what remains before termination is settling. */
    private boolean workGoneLocked() {
        return shutdown && queue.isEmpty() && workers.isEmpty();
    }

    /** Threads settling futures outside the lock, and callbacks handed off that have not returned. */
    private int settlingLocked() {
        return settling + callbacks.running();
    }

    void signalIfTerminatedLocked() {
        if (workGoneLocked()) {
            // Waiters are woken while futures are still being settled, too: one that settles some itself
            // (from a callback of such a future) does not wait for those, and looks again.
            terminatedCondition.signalAll();
            if (settlingLocked() == 0 && !terminatedPublished) {
                terminatedPublished = true;
                events.add(PoolEvent.Type.TERMINATED, -1L, null, null);
                callbacks.shutdown(); // no callback runs any more: idle callback threads end now
            }
        }
    }

    // ------------------------------------------------------------------ I/O

    /** A frame to write to a worker, or (frame null) a call's scope to tell of its start. */
    record Send(PoolWorker worker, byte[] frame, ScopedCall started) {
    }

    /** Writes frames, outside the pool lock; consecutive frames to one worker share a flush. */
    void send(List<Send> sends) {
        int n = sends.size();
        for (int i = 0; i < n; i++) {
            Send s = sends.get(i);
            if (s.frame() == null) {
                if (s.started() != null) {
                    s.started().started();
                }
                continue;
            }
            s.worker().process.write(s.frame(), i + 1 == n || sends.get(i + 1).worker() != s.worker());
        }
    }

    // ------------------------------------------------------------------ endings

    /**
     * Breaks the pool: refuses submits from now on, and takes out every call that will not complete
     * (queued, accepted and in flight on any worker) into {@code failed}, and every worker into
     * {@code kill}. The caller fails and kills them outside the lock.
     *
     * @return the reason
     */
    String breakLocked(String reason, List<WorkItem> failed, List<PoolWorker> kill) {
        broken = reason;
        events.add(PoolEvent.Type.POOL_BROKEN, -1L, null, reason);
        admission.closeLocked(toQueue); // accepted before the break; later submitters take theirs back
        failed.addAll(queue);
        queue.clear();
        for (PoolWorker o : workers) {
            kill.add(o);
            o.inFlight.forEach(WorkerRecycler::endedLocked);
            failed.addAll(o.inFlight);
            o.inFlight.clear();
            if (o.endNote == null) {
                o.endNote = "stopped because the pool broke";
            }
        }
        return reason;
    }

    void breakPool(String reason, Throwable cause) {
        List<WorkItem> failed = new ArrayList<>();
        List<PoolWorker> kill = new ArrayList<>();
        lock.lock();
        try {
            if (broken != null) {
                return;
            }
            breakLocked(reason, failed, kill);
            settling++;
        } finally {
            unlock();
        }
        int[] here = settlingHere();
        try {
            for (PoolWorker k : kill) { // first: a callback of a failed future may wait for the pool's end
                k.process.destroy(true);
            }
            fail(failed, new BrokenProcessPool(reason, cause));
        } finally {
            settledHere(here);
        }
    }

    /** Callbacks handed off ({@link CallbackThreads#running()}) by a pool that was shut down have returned. */
    void callbacksEnded() {
        lock.lock();
        try {
            signalIfTerminatedLocked();
        } finally {
            unlock();
        }
    }

    /**
     * The current thread begins settling futures outside the lock, {@link #settling} (or, for a
     * callback thread, {@link CallbackThreads#running()}) already counted for it; end with
     * {@link #settledHere} (or {@link #leftHere}). Their callbacks run in this thread, so its own wait for
     * termination does not count it (see {@link #awaitTermination}).
     */
    int[] settlingHere() {
        int[] here = settlingHere.get();
        if (here == null) {
            here = new int[1];
            settlingHere.set(here);
        }
        here[0]++;
        return here;
    }

    /** The current thread has settled what it began with {@link #settlingHere()}. */
    void settledHere(int[] here) {
        leftHere(here);
        settled();
    }

    /** The current thread no longer holds what it counted with {@link #settlingHere()} (its count is dropped elsewhere). */
    void leftHere(int[] here) {
        if (--here[0] == 0) {
            settlingHere.remove();
        }
    }

    /** A thread finished settling futures outside the lock. */
    private void settled() {
        lock.lock();
        try {
            settling--;
            signalIfTerminatedLocked();
        } finally {
            unlock();
        }
    }

    static void fail(List<WorkItem> items, BrokenProcessPool failure) {
        for (WorkItem item : items) {
            settle(item, failure);
        }
    }

    /** Fails a call, unless it is done already (its owner may complete or cancel it from outside). */
    static void settle(WorkItem item, Throwable failure) {
        try {
            item.future.setException(failure);
        } catch (InvalidStateError alreadyDone) {
            // cancelled or completed meanwhile
        }
    }

    // ------------------------------------------------------------------ shutdown

    /**
     * Stops accepting calls; see {@link io.github.futures.Executor#shutdown(boolean, boolean)}.
     *
     * @param wait wait for the calls and the workers to end
     * @param cancelFutures cancel the calls not yet sent to a worker
     */
    public void shutdown(boolean wait, boolean cancelFutures) {
        List<WorkItem> cancel = List.of();
        List<Send> sends = new ArrayList<>();
        lock.lock();
        try {
            if (!shutdown) {
                events.add(PoolEvent.Type.SHUTDOWN_STARTED, -1L, null, null);
            }
            shutdown = true;
            admission.closeLocked(toQueue); // every call whose submit returned is in the queue now
            if (cancelFutures && !queue.isEmpty()) {
                // Only calls never sent to a worker: one sent back (revoked, or requeued after its
                // worker died or was stopped) is RUNNING, cancel() cannot end it, and it must run.
                List<WorkItem> pending = new ArrayList<>();
                queue.removeIf(item -> !item.started && pending.add(item));
                if (!pending.isEmpty()) {
                    cancel = pending;
                    settling++;
                }
            }
            dispatchLocked(sends);
            signalIfTerminatedLocked();
        } finally {
            unlock();
        }
        // Sent before the cancelled futures' callbacks run: one that waits for the pool's end waits for
        // the EXIT frames among these.
        send(sends);
        if (!cancel.isEmpty()) {
            int[] here = settlingHere();
            try {
                for (WorkItem item : cancel) {
                    item.future.cancel();
                }
            } finally {
                settledHere(here);
            }
        }
        // A reader does not wait: its worker cannot end while it does. A callback thread waits for the
        // pool's other work, not for its own callbacks (see awaitTermination).
        if (wait && !isOwnReader()) {
            awaitTermination(-1L);
        }
    }

    /** Whether the current thread reads one of this pool's workers. */
    private boolean isOwnReader() {
        return Thread.currentThread() instanceof WorkerProcess.ReaderThread r && r.owner() == this;
    }

    /**
     * Waits until every worker ended after shutdown.
     *
     * @param nanos the limit, or a negative number for none
     * @return whether all ended in time
     */
    public boolean awaitTermination(long nanos) {
        boolean interrupted = false;
        // Decided once: awaitNanos returns a negative remainder on timeout, which must not turn into "no limit".
        final boolean untimed = nanos < 0L;
        // Settling this thread does itself (a callback of a future it is cancelling or failing, or one on a
        // callback thread) is not waited for; nor is that of other threads waiting as this one does (their
        // callbacks cannot end before they return: waiting for each other, they would hang for good).
        int[] here = settlingHere.get();
        int own = here == null ? 0 : here[0];
        lock.lock();
        try {
            if (own > 0) {
                ownWaits += own;
                terminatedCondition.signalAll(); // the others of its kind may be done waiting now
            }
            while (!(workGoneLocked() && settlingLocked() <= (own > 0 ? ownWaits : 0))) {
                try {
                    if (untimed) {
                        terminatedCondition.await();
                    } else {
                        if (nanos <= 0L) {
                            return false;
                        }
                        nanos = terminatedCondition.awaitNanos(nanos);
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                    if (!untimed) {
                        return false;
                    }
                }
            }
            return true;
        } finally {
            ownWaits -= own;
            unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** @return whether it was broken; see {@link WorkerRecycler#rebuild()} */
    public boolean rebuild() {
        return recycler.rebuild();
    }

    /** Under lock: a rebuilt pool accepts calls again. */
    void reopenLocked() {
        broken = null;
        admission.reopenLocked();
    }

    /** @return whether shutdown was called */
    public boolean isShutdown() {
        return shutdown;
    }

    /** @return whether the pool is broken */
    public boolean isBroken() {
        return broken != null;
    }

    // ------------------------------------------------------------------ observability

    /**
     * The state of the pool now.
     *
     * @param kind the executor kind
     * @param extraConfig configuration entries to report
     * @return a snapshot
     */
    public ExecutorSnapshot snapshot(String kind, Map<String, Object> extraConfig) {
        List<WorkerSnapshot> details = new ArrayList<>();
        long started;
        lock.lock();
        try {
            for (PoolWorker w : workers) {
                WorkerProcess p = w.process;
                details.add(new WorkerSnapshot(p.name, p.pid, w.tasksDone, p.startedAt, !w.inFlight.isEmpty(), w.usedHeap));
            }
            started = workersStarted;
        } finally {
            unlock();
        }
        Map<String, Object> cfg = new LinkedHashMap<>(extraConfig);
        String b = broken;
        return new ExecutorSnapshot(kind, PoolState.of(shutdown, b != null).value(), maxWorkers, details.size(),
                started, stats.pendingCount(), stats.runningCount(), stats.submittedCount(), stats.succeededCount(),
                stats.failedCount(), stats.cancelledCount(), b, List.copyOf(details), Map.copyOf(cfg));
    }

    /** @return the state name */
    public String state() {
        return PoolState.of(shutdown, broken != null).value();
    }
}

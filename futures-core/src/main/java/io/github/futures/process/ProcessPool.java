package io.github.futures.process;

import io.github.futures.BrokenProcessPool;
import io.github.futures.Future;
import io.github.futures.InvalidStateError;
import io.github.futures.spi.ExecutorSnapshot;
import io.github.futures.spi.TaskStats;
import io.github.futures.spi.TrackedFuture;
import io.github.futures.spi.WorkerSnapshot;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.InvalidObjectException;
import java.io.ObjectInputFilter;
import java.io.OutputStream;
import java.io.StreamCorruptedException;
import java.nio.charset.Charset;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The engine of {@link io.github.futures.ProcessPoolExecutor}. Internal: not part of the API, may
 * change without notice.
 *
 * <p>How work flows (compare CPython's {@code process.py}):
 *
 * <pre>
 *  submit ──serialize──▶ queue ──dispatch──▶ worker.inFlight ──frame──▶ stdin of worker JVM
 *                                                                           │ runs the call
 *  future ◀──complete── reader thread of the worker ◀──frame── stdout of worker JVM
 * </pre>
 *
 * <p>Implementation note.
 *
 * <ul>
 * <li>One lock ({@link #lock}) guards the queue, the list of live workers, every worker's state and
 * in-flight items, and the pool state ({@link #shutdown}, {@link #broken}, which are also volatile
 * for lock-free reads on the submit fast path). No I/O and no user code runs under it; the lock
 * only decides what is written where, and the writing happens after it is released, under the
 * worker's own write lock.
 * <li>Submitters never wait for that lock: a call goes on the lock-free {@link #incoming} queue,
 * and the submitter moves it on only if the lock is free ({@code tryLock}); otherwise the holder
 * does it when it lets go of the lock, which it re-checks after releasing it, so no call is left
 * behind (flat combining). Shutdown and breakage move what came before them; a submitter that
 * raced with them and whose call nobody moved takes it back and is refused.
 * <li>Worker states: STARTING (process being spawned; not assignable) → READY (takes work) →
 * RETIRING (reached maxTasksPerChild; takes no more) → EXITING (EXIT sent, exit expected) → DEAD.
 * Any state → DEAD when the process ends. An end that was not expected (no EXIT sent, no
 * terminate/kill asked) breaks the pool.
 * <li>Dispatch: a queued item goes to an idle READY worker; else a new worker starts (up to
 * maxWorkers, one per queued item not already covered by a starting worker); else it is pipelined
 * to a READY worker with fewer than {@link #MAX_IN_FLIGHT} items ({@link #DEEP_IN_FLIGHT} under a
 * backlog), so that a worker finds its next
 * call waiting when it finishes one (CPython's EXTRA_QUEUED_CALLS). An item becomes RUNNING when it
 * is first assigned, as in CPython when it enters the call queue. CPython's extra call waits in a
 * shared queue that any free worker takes from; here it was sent to one worker, so when a worker is
 * idle with nothing queued, the pool sends REVOKE for a call waiting behind a busy worker's call:
 * the worker gives it back (REVOKED) unless it started it, and it goes to the front of the queue.
 * <li>Each worker has one platform thread that spawns its process (so several start in parallel),
 * writes the initializer and reads the results; death is seen as end-of-file on the worker's
 * standard output (no polling). A second thread forwards the worker's standard error, line by line,
 * prefixed with its pid.
 * <li>A future is completed outside the lock, in the reader thread, after the worker's next call
 * has been sent.
 * <li>Cost per call: a call that captured nothing (a constant lambda, a static method reference) is
 * the same call each time; its bytes are kept here and the worker keeps the deserialized object, so
 * it is serialized and deserialized once. A map chunk travels as a MAP frame (the function's bytes,
 * kept the same way, and the items); numbers, booleans, strings and lists of them travel as tagged
 * values without Java serialization, in both directions.
 * </ul>
 */
public final class ProcessPool {

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
    private static final byte[] EXIT_FRAME = new Wire.Frame(Wire.HEADER).begin().finish(Wire.EXIT, 0L).toByteArray();

    private static final int STARTING = 0;
    private static final int READY = 1;
    private static final int RETIRING = 2;
    private static final int EXITING = 3;
    private static final int DEAD = 4;

    /**
     * What a pool is made of; validated by the executor's builder.
     *
     * @param maxWorkers maximum number of worker processes
     * @param initializer run once in each worker, or {@code null}
     * @param maxTasksPerChild calls per worker before it is replaced, or 0 for no limit
     * @param javaExecutable the java executable
     * @param jvmOptions all options for the worker JVMs (defaults already merged)
     * @param environment extra environment variables
     * @param serialFilter the deserialization filter pattern, or {@code null} for the default
     * @param maxMessageSize the largest serialized task, result or exception, in bytes
     * @param classPath the worker's class path
     * @param loader resolves classes of results and exceptions in this JVM
     */
    public record Config(int maxWorkers, Runnable initializer, int maxTasksPerChild, String javaExecutable,
                         List<String> jvmOptions, Map<String, String> environment, String serialFilter,
                         int maxMessageSize, String classPath, ClassLoader loader) {
    }

    private final Config config;
    private final String name;
    private final List<String> command;
    private final ObjectInputFilter filter;
    private final byte[] initFrame;
    private final TaskStats stats = new TaskStats();
    private final AtomicLong ids = new AtomicLong();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition terminatedCondition = lock.newCondition();
    /**
     * Calls submitted and not yet moved into {@link #queue}: submitters add here without the lock,
     * lock holders move them on (not after shutdown or breakage: see {@link #enqueue}).
     */
    private final ConcurrentLinkedQueue<WorkItem> incoming = new ConcurrentLinkedQueue<>();
    /** Items not yet sent to a worker, oldest first. Guarded by lock. */
    private final ArrayDeque<WorkItem> queue = new ArrayDeque<>();
    /** Workers not yet DEAD. Guarded by lock. */
    private final List<Worker> workers = new ArrayList<>();
    /** Workers in STARTING. Guarded by lock. */
    private int starting;
    /** Workers ever started. Written under lock; read without it as a hint. */
    private volatile long workersStarted;
    /** Written under lock, read anywhere. */
    private volatile boolean shutdown;
    /** Why the pool is broken, or null. Written once, under lock. */
    private volatile String broken;

    /**
     * A pool; no process starts before the first submit.
     *
     * @param config the configuration
     * @param initializerFrame the serialized initializer (a whole INIT frame), or {@code null}
     */
    ProcessPool(Config config, byte[] initializerFrame) {
        this.config = config;
        this.name = "ProcessPoolExecutor-" + POOL_COUNTER.getAndIncrement();
        this.filter = Wire.filter(config.serialFilter());
        this.initFrame = initializerFrame;
        List<String> args = List.of(Integer.toString(config.maxMessageSize()),
                config.serialFilter() == null ? "-" : config.serialFilter());
        this.command = List.copyOf(WorkerCommand.build(config.javaExecutable(), config.jvmOptions(),
                config.classPath(), args, null));
    }

    /**
     * Creates a pool, checking that the initializer can be sent to workers.
     *
     * @param config the configuration
     * @return the pool
     * @throws IllegalArgumentException if the initializer cannot be serialized
     */
    public static ProcessPool create(Config config) {
        Objects.requireNonNull(config, "config");
        byte[] init = null;
        if (config.initializer() != null) {
            init = serializeFrame(config.initializer(), Wire.INIT, 0L, "initializer", config.maxMessageSize());
        }
        Wire.filter(config.serialFilter()); // fails early on a bad pattern
        return new ProcessPool(config, init);
    }

    /** The default maximum message size: 128 MiB. */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = Wire.DEFAULT_MAX_MESSAGE_SIZE;

    /** @return the JVM options that make workers start fast (see {@code WorkerCommand}) */
    public static List<String> defaultJvmOptions() {
        return WorkerCommand.DEFAULT_JVM_OPTIONS;
    }

    /** @return the JVM options every worker gets: exit on out-of-memory, JVM messages to stderr */
    public static List<String> safetyJvmOptions() {
        return WorkerCommand.SAFETY_OPTIONS;
    }

    /** @return this JVM's java executable */
    public static String currentJava() {
        return WorkerCommand.currentJava();
    }

    /** @return the pool's name, {@code ProcessPoolExecutor-<k>} */
    public String name() {
        return name;
    }

    /** @return the command that starts a worker (for diagnostics) */
    public List<String> command() {
        return command;
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
    public <T> Future<T> submit(Callable<T> task) {
        Objects.requireNonNull(task, "fn");
        checkAccepting();
        if (workersStarted == 0L) {
            prestart();
        }
        long id = ids.incrementAndGet();
        byte[] frame = taskFrame(task, id);
        TrackedFuture<Object> f = stats.newFuture();
        WorkItem item = new WorkItem(id, f, frame);
        enqueue(item);
        return (Future<T>) (Future<?>) f;
    }

    /**
     * Queues a call without waiting for the pool's lock: the call goes on the lock-free 'incoming'
     * queue, and whoever holds or next takes the lock moves it on (see {@link #drainIncoming()}).
     * A call that raced with shutdown or breakage and that nobody moved yet is taken back and
     * refused, as if it came later.
     */
    private void enqueue(WorkItem item) {
        stats.submitted();
        incoming.offer(item);
        if ((shutdown || broken != null) && incoming.remove(item)) {
            stats.unsubmitted();
            checkAccepting();
        }
        drainIncoming();
    }

    /**
     * Moves submitted calls into the queue and dispatches them, if the lock is free; if it is not,
     * its holder does it on release ({@link #unlock()}), so a call is never left behind and a
     * submitter never waits for the lock. Stops at shutdown or breakage: from then on a submitter
     * takes its call back itself.
     */
    private void drainIncoming() {
        while (!incoming.isEmpty() && !shutdown && broken == null && lock.tryLock()) {
            List<Send> sends = new ArrayList<>(2);
            try {
                dispatchLocked(sends);
            } finally {
                lock.unlock();
            }
            send(sends);
        }
    }

    /** Releases the lock, then moves on what submitters queued while it was held. */
    private void unlock() {
        lock.unlock();
        if (!incoming.isEmpty() && !lock.isHeldByCurrentThread()) {
            drainIncoming();
        }
    }

    /** For tests of the submit path: the pool's lock, to hold while calls are submitted. */
    ReentrantLock lockForTests() {
        return lock;
    }

    /** For tests of the submit path: releases the lock as every holder in this class does. */
    void unlockForTests() {
        unlock();
    }

    /**
     * Moves submitted calls into the queue, oldest first; nothing after shutdown, from when on each
     * submitter takes back its own call (see {@link #enqueue}).
     */
    private void moveIncomingLocked() {
        if (shutdown) {
            return;
        }
        for (WorkItem item; (item = incoming.poll()) != null; ) {
            queue.addLast(item);
        }
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
    public <R> Future<List<R>> submitMap(java.util.function.Function<?, ?> fn, List<?> items) {
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(items, "items");
        checkAccepting();
        if (workersStarted == 0L) {
            prestart();
        }
        long id = ids.incrementAndGet();
        byte[] fnBytes = functionBytes(fn);
        Wire.Frame fr = new Wire.Frame(fnBytes.length + 64 + 16 * items.size());
        fr.begin();
        fr.write(fnBytes.length >>> 24);
        fr.write(fnBytes.length >>> 16);
        fr.write(fnBytes.length >>> 8);
        fr.write(fnBytes.length);
        fr.writeBytes(fnBytes);
        try {
            Wire.appendValue(fr, items instanceof ArrayList<?> ? items : new ArrayList<>(items));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(notSerializable("map items", items, e), e);
        }
        if (fr.payloadSize() > config.maxMessageSize()) {
            throw new IllegalArgumentException("A chunk of " + items.size() + " map items is " + fr.payloadSize()
                    + " bytes serialized, more than maxMessageSize (" + config.maxMessageSize() + " bytes); use a"
                    + " smaller chunksize, or raise the limit with ProcessPoolExecutor.builder().maxMessageSize(...)");
        }
        fr.finish(Wire.MAP, id);
        TrackedFuture<Object> f = stats.newFuture();
        WorkItem item = new WorkItem(id, f, fr.toByteArray());
        enqueue(item);
        return (Future<List<R>>) (Future<?>) f;
    }

    /** The last stateless map function serialized, with its bytes. */
    private volatile CachedTask lastFunction;

    private byte[] functionBytes(Object fn) {
        CachedTask c = lastFunction;
        if (c != null && c.task() == fn) {
            return c.frame();
        }
        Wire.Frame fr = new Wire.Frame(512);
        try {
            Wire.serialize(fr, fn);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(notSerializable("function", fn, e), e);
        }
        byte[] bytes = java.util.Arrays.copyOfRange(fr.array(), Wire.HEADER, fr.size());
        if (Wire.STATELESS.get(fn.getClass()) && bytes.length <= 4096) {
            lastFunction = new CachedTask(fn, bytes);
        }
        return bytes;
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

    /** Set when the JVM's exit hook shut this pool down: submits are refused with that reason. */
    private volatile boolean jvmExiting;

    /**
     * The JVM is exiting: stop taking calls (with a message that says so) and let the ones
     * accepted run, as CPython's {@code _python_exit} does; the exit hook then waits for the pool.
     */
    public void shutdownForJvmExit() {
        jvmExiting = true;
        shutdown(false, false);
    }

    /**
     * The pool's own threads (one per live worker, which reads its results and runs done callbacks),
     * for the exit hook to see whether one of them is itself exiting the JVM.
     *
     * @return a copy
     */
    public List<Thread> threads() {
        List<Thread> threads = new ArrayList<>();
        lock.lock();
        try {
            for (Worker w : workers) {
                threads.add(w.thread);
            }
        } finally {
            unlock();
        }
        return threads;
    }

    /** The last stateless call serialized, with its payload: a constant lambda submitted again is not serialized again. */
    private volatile CachedTask lastStateless;

    private record CachedTask(Object task, byte[] frame) {
    }

    private byte[] taskFrame(Callable<?> task, long id) {
        CachedTask c = lastStateless;
        byte[] frame;
        if (c != null && c.task() == task) {
            frame = c.frame().clone();
            Wire.header(frame, frame.length, Wire.TASK, id);
            return frame;
        }
        frame = serializeFrame(task, Wire.TASK, id, "task", config.maxMessageSize());
        if (Wire.STATELESS.get(task.getClass()) && frame.length <= 4096) {
            lastStateless = new CachedTask(task, frame.clone());
        }
        return frame;
    }

    static byte[] serializeFrame(Object obj, byte type, long id, String what, int maxMessageSize) {
        Wire.Frame fr = new Wire.Frame(512);
        try {
            Wire.serialize(fr, obj);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(notSerializable(what, obj, e), e);
        }
        if (fr.payloadSize() > maxMessageSize) {
            throw new IllegalArgumentException("The " + what + " (" + obj.getClass().getName() + ") is "
                    + fr.payloadSize() + " bytes serialized, more than maxMessageSize (" + maxMessageSize
                    + " bytes); send less data with each call, or raise the limit with"
                    + " ProcessPoolExecutor.builder().maxMessageSize(...)");
        }
        fr.finish(type, id);
        return fr.toByteArray();
    }

    static String notSerializable(String what, Object obj, Exception e) {
        String cls = obj.getClass().getName();
        String hint = cls.contains("$$Lambda")
                ? " A lambda is serializable when its target type is: cast it, e.g. (SerializableCallable<T>) () -> ...,"
                        + " and make everything it captures Serializable."
                : " Make it (and every object it refers to) implement java.io.Serializable.";
        return "The " + what + " (" + cls + ") cannot be sent to a worker process: " + e + "." + hint;
    }

    // ------------------------------------------------------------------ dispatch (under lock)

    /** Decides what goes where; appends the frames to write to {@code sends}. */
    private void dispatchLocked(List<Send> sends) {
        if (broken != null) {
            return;
        }
        moveIncomingLocked();
        // 1. Idle workers first.
        while (!queue.isEmpty()) {
            Worker idle = null;
            for (Worker w : workers) {
                if (w.state == READY && w.inFlight.isEmpty()) {
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
        while (need > 0 && activeCountLocked() < config.maxWorkers()) {
            startWorkerLocked();
            need--;
        }
        // 3. Pipeline to busy workers what the starting ones will not take; deeper under a backlog.
        while (queue.size() > starting) {
            int depth = queue.size() >= DEEP_BACKLOG_PER_WORKER * Math.max(1, workers.size()) ? DEEP_IN_FLIGHT : MAX_IN_FLIGHT;
            Worker best = null;
            for (Worker w : workers) {
                if (w.state == READY && w.inFlight.size() < depth
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
        if (queue.isEmpty()) {
            for (Worker idle : workers) {
                if (idle.state == READY && idle.inFlight.isEmpty()) {
                    revokeOneLocked(sends);
                }
            }
        }
        // 4. Shut down: let idle workers go.
        if (shutdown && queue.isEmpty()) {
            for (Worker w : workers) {
                if (w.state == READY && w.inFlight.isEmpty()) {
                    exitLocked(w, sends);
                }
            }
        }
    }

    /** Sends the oldest live queued item to {@code w}; false if the queue had none. */
    private boolean assignLocked(Worker w, List<Send> sends) {
        for (WorkItem item; (item = queue.pollFirst()) != null; ) {
            if (!item.started) {
                boolean run;
                try {
                    run = item.future.setRunningOrNotifyCancel();
                } catch (InvalidStateError completedElsewhere) {
                    run = false;
                }
                if (!run) {
                    continue;
                }
                item.started = true;
            }
            w.inFlight.add(item);
            w.assigned++;
            if (config.maxTasksPerChild() > 0 && w.assigned >= config.maxTasksPerChild()) {
                w.state = RETIRING;
            }
            sends.add(new Send(w, item));
            return true;
        }
        return false;
    }

    /** Asks the worker with the most calls sent ahead to give the last of them back (never its first call). */
    private void revokeOneLocked(List<Send> sends) {
        WorkItem target = null;
        Worker from = null;
        for (Worker w : workers) {
            if ((w.state == READY || w.state == RETIRING) && (from == null || w.inFlight.size() > from.inFlight.size())) {
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
            sends.add(new Send(from, new Wire.Frame(Wire.HEADER).begin().finish(Wire.REVOKE, target.id).toByteArray()));
        }
    }

    private void exitLocked(Worker w, List<Send> sends) {
        w.state = EXITING;
        sends.add(new Send(w, EXIT_FRAME));
    }

    private int activeCountLocked() {
        int n = 0;
        for (Worker w : workers) {
            if (w.state <= RETIRING) {
                n++;
            }
        }
        return n;
    }

    private void startWorkerLocked() {
        long n = workersStarted++;
        Worker w = new Worker(name + "-worker-" + n);
        workers.add(w);
        starting++;
        w.thread.start();
    }

    private boolean terminatedLocked() {
        return shutdown && queue.isEmpty() && workers.isEmpty();
    }

    // ------------------------------------------------------------------ I/O

    /** A frame to write to a worker. */
    private static final class Send {
        final Worker worker;
        final WorkItem item;
        final byte[] frame;

        Send(Worker worker, WorkItem item) {
            this.worker = worker;
            this.item = item;
            this.frame = null;
        }

        Send(Worker worker, byte[] frame) {
            this.worker = worker;
            this.item = null;
            this.frame = frame;
        }
    }

    /** Writes frames, outside the pool lock; consecutive frames to one worker share a flush. */
    private void send(List<Send> sends) {
        int n = sends.size();
        for (int i = 0; i < n; i++) {
            Send s = sends.get(i);
            Worker w = s.worker;
            byte[] frame = s.item != null ? s.item.frame : s.frame;
            boolean flush = i + 1 == n || sends.get(i + 1).worker != w;
            synchronized (w.writeLock) {
                OutputStream out = w.stdin;
                if (out == null) {
                    continue;
                }
                try {
                    out.write(frame);
                    if (flush) {
                        out.flush();
                    }
                } catch (IOException e) {
                    // The worker is gone or going (its stdin is closed only when it ends): its reader
                    // thread sees the end of its output and fails its items. No destroy here: the JDK's
                    // destroy also closes the process's stdout and stderr, which would lose the worker's
                    // last words (a JVM that cannot start explains why on stderr).
                }
            }
        }
    }

    // ------------------------------------------------------------------ workers

    /** A pool thread: spawns, feeds and reads one worker process. */
    private final class PoolThread extends Thread {
        PoolThread(Runnable r, String name) {
            super(r, name);
            setDaemon(true);
        }

        ProcessPool pool() {
            return ProcessPool.this;
        }
    }

    /** A call on its way. */
    private static final class WorkItem {
        final long id;
        final TrackedFuture<Object> future;
        /** The whole TASK frame, kept until the outcome arrives (a revoked call is sent again). */
        final byte[] frame;
        /** Whether the future was set running. Guarded by the pool lock. */
        boolean started;
        /** Whether a REVOKE was sent for it. Guarded by the pool lock. */
        boolean revoking;

        WorkItem(long id, TrackedFuture<Object> future, byte[] frame) {
            this.id = id;
            this.future = future;
            this.frame = frame;
        }
    }

    /** One worker process, as the parent sees it. Fields without a note are guarded by the pool lock. */
    private final class Worker implements Runnable {
        final String name;
        final PoolThread thread;
        final Object writeLock = new Object();
        final List<WorkItem> inFlight = new ArrayList<>(DEEP_IN_FLIGHT);
        final Instant startedAt = Instant.now();
        int state = STARTING;
        int assigned;
        /** Set when an end of this worker is asked for (terminate, kill, a broken pool). */
        String endNote;
        /** Written by the worker thread, read anywhere. */
        volatile Process process;
        volatile long pid = -1L;
        volatile long tasksDone;
        /** Guarded by writeLock; null before the process exists and after it died. */
        OutputStream stdin;
        /** Whether the worker said hello; before that its standard error is remembered. */
        volatile boolean ready;
        /** The last lines of standard error before the worker said hello. Guarded by itself. */
        final ArrayDeque<String> earlyErr = new ArrayDeque<>();
        Thread pump;

        Worker(String name) {
            this.name = name;
            this.thread = new PoolThread(this, name);
        }

        WorkItem removeInFlight(long id) {
            for (int i = 0, n = inFlight.size(); i < n; i++) {
                if (inFlight.get(i).id == id) {
                    return inFlight.remove(i);
                }
            }
            return null;
        }

        @Override
        public void run() {
            Process p;
            try {
                ProcessBuilder pb = new ProcessBuilder(command);
                if (!config.environment().isEmpty()) {
                    pb.environment().putAll(config.environment());
                }
                p = pb.start();
            } catch (IOException | RuntimeException e) {
                died(this, "could not start a worker process (" + e + "); command: " + String.join(" ", command));
                return;
            }
            String kill;
            lock.lock();
            try {
                process = p;
                pid = p.pid();
                kill = endNote;
            } finally {
                unlock();
            }
            if (kill != null) {
                p.destroyForcibly();
            }
            pump = new Thread(this::pumpStderr, name + "-stderr");
            pump.setDaemon(true);
            pump.start();
            synchronized (writeLock) {
                stdin = p.getOutputStream();
                if (initFrame != null) {
                    try {
                        stdin.write(initFrame);
                    } catch (IOException e) {
                        // it died already: the reader sees the end (see send)
                    }
                }
            }
            List<Send> sends = new ArrayList<>(MAX_IN_FLIGHT);
            lock.lock();
            try {
                if (state == STARTING) {
                    state = READY;
                    starting--;
                    dispatchLocked(sends);
                }
            } finally {
                unlock();
            }
            if (sends.isEmpty()) {
                synchronized (writeLock) {
                    try {
                        stdin.flush();
                    } catch (IOException e) {
                        // it died already: the reader sees the end (see send)
                    }
                }
            } else {
                send(sends);
            }
            readLoop(p);
        }

        private void readLoop(Process p) {
            String trouble = null;
            try {
                DataInputStream in = new DataInputStream(p.getInputStream());
                handshake(in);
                Wire.Incoming f = new Wire.Incoming();
                for (;;) {
                    Wire.read(in, config.maxMessageSize(), f);
                    handle(f);
                }
            } catch (EOFException end) {
                // the process ended (or closed its standard output)
            } catch (StreamCorruptedException e) {
                trouble = corrupted(p, e);
                p.destroyForcibly();
            } catch (IOException | RuntimeException e) {
                trouble = "lost the connection to worker pid " + pid + ": " + e;
                p.destroyForcibly();
            }
            died(this, trouble);
        }

        /**
         * Describes what the worker wrote instead of a frame. A crashing JVM prints its fatal error
         * report on standard output (JDK 17 does, whatever the options), so the pool gives the process
         * a moment to end by itself and shows the start of what it wrote.
         */
        private String corrupted(Process p, StreamCorruptedException e) {
            java.io.ByteArrayOutputStream seen = new java.io.ByteArrayOutputStream();
            if (e instanceof Wire.BadFrame bad) {
                seen.writeBytes(bad.startBytes());
            }
            try {
                p.waitFor(300, TimeUnit.MILLISECONDS);
                InputStream in = p.getInputStream();
                int n = Math.min(in.available(), 2048);
                if (n > 0) {
                    seen.writeBytes(in.readNBytes(n));
                }
            } catch (IOException | InterruptedException ignored) {
                // show what we have
            }
            String text = seen.toString(Charset.defaultCharset()).replaceAll("[\\p{Cntrl}&&[^\\n]]", "?");
            String excerpt = text.lines().limit(12).map(String::strip).filter(l -> !l.isEmpty() && !l.equals("#"))
                    .collect(java.util.stream.Collectors.joining(" | "));
            if (text.contains("A fatal error has been detected by the Java Runtime Environment")) {
                return "worker pid " + pid + " crashed: the JVM reported a fatal error (its report went to the process's"
                        + " standard output): " + excerpt;
            }
            return "worker pid " + pid + " wrote bytes that are not a protocol frame (" + e.getMessage()
                    + "): something in the worker wrote to the process's standard output directly (native code,"
                    + " FileDescriptor.out, or a JVM option such as -Xlog:...:stdout); send such output to stderr."
                    + " It wrote: " + excerpt;
        }

        private void handshake(DataInputStream in) throws IOException {
            long v = 0L;
            int skipped = 0;
            java.io.ByteArrayOutputStream noise = null;
            for (;;) {
                int b = in.read();
                if (b < 0) {
                    throw new EOFException();
                }
                int leaving = (int) (v >>> 56) & 0xff;
                v = (v << 8) | b;
                if (v == Wire.MAGIC) {
                    break;
                }
                if (++skipped > 8) {
                    if (noise == null) {
                        noise = new java.io.ByteArrayOutputStream();
                    }
                    noise.write(leaving);
                    if (skipped > (1 << 20)) {
                        throw new StreamCorruptedException("no handshake in the first MiB of output");
                    }
                }
            }
            if (noise != null && noise.size() > 0) {
                System.err.println("[worker " + pid + "] (stdout before start) "
                        + noise.toString(Charset.defaultCharset()).strip());
            }
            ready = true;
        }

        private void handle(Wire.Incoming f) throws IOException {
            switch (f.type) {
                case Wire.RESULT, Wire.EXCEPTION -> {
                    WorkItem item;
                    List<Send> sends = new ArrayList<>(MAX_IN_FLIGHT);
                    lock.lock();
                    try {
                        item = removeInFlight(f.id);
                        tasksDone++;
                        if (state == RETIRING && inFlight.isEmpty()) {
                            exitLocked(this, sends);
                        }
                        dispatchLocked(sends);
                    } finally {
                        unlock();
                    }
                    if (!sends.isEmpty()) {
                        send(sends);
                    }
                    byte[] payload = f.payload;
                    f.payload = null;
                    if (item != null) {
                        complete(item, f.type, payload);
                    }
                }
                case Wire.REVOKED -> {
                    List<Send> sends = new ArrayList<>(2);
                    lock.lock();
                    try {
                        WorkItem item = removeInFlight(f.id);
                        if (item != null) {
                            item.revoking = false;
                            assigned--;
                            if (state == RETIRING && assigned < config.maxTasksPerChild()) {
                                state = READY;
                            }
                            if (broken == null) {
                                queue.addFirst(item);
                            }
                        }
                        dispatchLocked(sends);
                    } finally {
                        unlock();
                    }
                    send(sends);
                }
                case Wire.INIT_FAILED -> {
                    Throwable cause = decodeException(f.payload);
                    breakPool("A process initializer failed in worker pid " + pid
                            + ", the process pool is not usable anymore (" + cause + ")", cause);
                }
                default -> throw new StreamCorruptedException("unknown frame type " + f.type);
            }
        }

        private void complete(WorkItem item, byte type, byte[] payload) {
            try {
                if (type == Wire.RESULT) {
                    Object value;
                    try {
                        value = Wire.decodeValue(payload, filter, config.loader());
                    } catch (Exception e) {
                        item.future.setException(Wire.cannotRead("The result of the task (from worker pid " + pid + ")", e));
                        return;
                    }
                    item.future.setResult(value);
                } else {
                    item.future.setException(decodeException(payload));
                }
            } catch (InvalidStateError completedElsewhere) {
                // someone completed the future from outside; the outcome is dropped
            }
        }

        private Throwable decodeException(byte[] payload) {
            ExceptionEnvelope env;
            try {
                env = (ExceptionEnvelope) Wire.deserialize(payload, null, ProcessPool.class.getClassLoader());
            } catch (Exception e) {
                return Wire.cannotRead("An exception from worker pid " + pid, e);
            }
            RemoteTraceback remote = new RemoteTraceback(env.trace);
            Throwable t = null;
            String why = env.notSerializedBecause;
            if (env.serialized != null) {
                try {
                    t = (Throwable) Wire.deserialize(env.serialized, filter, config.loader());
                } catch (Exception e) {
                    why = "this JVM could not deserialize it: " + e;
                }
            }
            if (t == null) {
                return new RuntimeException(env.className + (env.message == null ? "" : ": " + env.message)
                        + " (raised in worker pid " + pid + "; the exception itself could not be sent back: " + why
                        + ")", remote);
            }
            try {
                t.initCause(remote);
            } catch (IllegalStateException | IllegalArgumentException hasCause) {
                t.addSuppressed(remote);
            }
            return t;
        }

        private void pumpStderr() {
            Process p = process;
            String prefix = "[worker " + pid + "] ";
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), Charset.defaultCharset()))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (!ready) {
                        synchronized (earlyErr) {
                            earlyErr.addLast(line);
                            if (earlyErr.size() > 20) {
                                earlyErr.removeFirst();
                            }
                        }
                    }
                    System.err.println(prefix + line);
                }
            } catch (IOException e) {
                // the process is gone
            }
        }

        String earlyErrors() {
            Thread t = pump;
            if (t != null) {
                try {
                    t.join(1000L);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            synchronized (earlyErr) {
                return String.join(System.lineSeparator(), earlyErr);
            }
        }
    }

    // ------------------------------------------------------------------ endings

    /** Called once per worker, in its thread, when its process ended or never started. */
    private void died(Worker w, String trouble) {
        Process p = w.process;
        Integer code = null;
        if (p != null) {
            try {
                if (!p.waitFor(2, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(2, TimeUnit.SECONDS);
                }
                code = p.isAlive() ? null : p.exitValue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (w.writeLock) {
            w.stdin = null;
        }
        if (p != null) {
            try {
                p.getOutputStream().close();
            } catch (IOException ignored) {
                // already closed
            }
        }
        String exit = describeExit(w.pid, code);
        String early = p != null && !w.ready ? w.earlyErrors() : "";
        List<WorkItem> failed = new ArrayList<>();
        List<Worker> kill = List.of();
        List<Send> sends = new ArrayList<>();
        BrokenProcessPool failure;
        lock.lock();
        try {
            int was = w.state;
            w.state = DEAD;
            workers.remove(w);
            if (was == STARTING) {
                starting--;
            }
            String b = broken;
            if (b != null) {
                failed.addAll(w.inFlight);
                failure = new BrokenProcessPool(b);
            } else if (was == EXITING || w.endNote != null) {
                failed.addAll(w.inFlight);
                failure = new BrokenProcessPool((w.endNote != null ? w.endNote : "worker exited") + " (" + exit + ")");
                dispatchLocked(sends);
            } else {
                StringBuilder reason = new StringBuilder();
                if (trouble != null) {
                    reason.append("A worker process failed: ").append(trouble).append(" (").append(exit).append(')');
                } else if (!w.ready) {
                    reason.append("A worker process could not start: ").append(exit);
                } else {
                    reason.append("A process in the process pool was terminated abruptly while the future was running or"
                            + " pending: ").append(exit);
                }
                if (!early.isEmpty()) {
                    reason.append("; its standard error: ").append(early);
                }
                reason.append(". The process pool is not usable anymore.");
                broken = reason.toString();
                failure = new BrokenProcessPool(broken);
                failed.addAll(w.inFlight);
                kill = breakLocked(failed);
            }
            w.inFlight.clear();
            if (terminatedLocked()) {
                terminatedCondition.signalAll();
            }
        } finally {
            unlock();
        }
        send(sends);
        fail(failed, failure);
        for (Worker k : kill) {
            Process kp = k.process;
            if (kp != null) {
                kp.destroyForcibly();
            }
        }
    }

    /** Marks every other worker for killing and collects every item that will not complete. */
    private List<Worker> breakLocked(List<WorkItem> failed) {
        moveIncomingLocked(); // accepted before the break; later submitters take theirs back
        failed.addAll(queue);
        queue.clear();
        List<Worker> kill = new ArrayList<>(workers);
        for (Worker o : kill) {
            failed.addAll(o.inFlight);
            o.inFlight.clear();
            if (o.endNote == null) {
                o.endNote = "stopped because the pool broke";
            }
        }
        return kill;
    }

    private void breakPool(String reason, Throwable cause) {
        List<WorkItem> failed = new ArrayList<>();
        List<Worker> kill;
        lock.lock();
        try {
            if (broken != null) {
                return;
            }
            broken = reason;
            kill = breakLocked(failed);
        } finally {
            unlock();
        }
        fail(failed, new BrokenProcessPool(reason, cause));
        for (Worker k : kill) {
            Process kp = k.process;
            if (kp != null) {
                kp.destroyForcibly();
            }
        }
    }

    private static void fail(List<WorkItem> items, BrokenProcessPool failure) {
        for (WorkItem item : items) {
            try {
                item.future.setException(failure);
            } catch (InvalidStateError alreadyDone) {
                // cancelled or completed meanwhile
            }
        }
    }

    static String describeExit(long pid, Integer code) {
        StringBuilder s = new StringBuilder("worker pid ").append(pid);
        if (code == null) {
            return s.append(" did not exit").toString();
        }
        s.append(" exited with code ").append(code);
        if (code > 128 && code < 128 + 65) {
            int sig = code - 128;
            s.append(" (killed by signal ").append(sig);
            String n = switch (sig) {
                case 9 -> "SIGKILL";
                case 15 -> "SIGTERM";
                case 6 -> "SIGABRT: the JVM crashed, see its hs_err file";
                case 11 -> "SIGSEGV";
                case 2 -> "SIGINT";
                case 1 -> "SIGHUP";
                default -> null;
            };
            if (n != null) {
                s.append(", ").append(n);
            }
            s.append(')');
        } else if (code == WorkerMain.ORPHANED) {
            s.append(" (it saw its standard input close)");
        } else if (code == 3) {
            s.append(" (a JVM that ran out of memory exits with 3 under -XX:+ExitOnOutOfMemoryError;"
                    + " give workers more heap with jvmArgs(\"-Xmx...\"))");
        }
        return s.toString();
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
            moveIncomingLocked(); // every call submitted before this point was accepted
            shutdown = true;
            if (cancelFutures && !queue.isEmpty()) {
                cancel = new ArrayList<>(queue);
                queue.clear();
            }
            dispatchLocked(sends);
            if (terminatedLocked()) {
                terminatedCondition.signalAll();
            }
        } finally {
            unlock();
        }
        for (WorkItem item : cancel) {
            item.future.cancel();
        }
        send(sends);
        if (wait && !isPoolThread()) {
            awaitTermination(-1L);
        }
    }

    private boolean isPoolThread() {
        return Thread.currentThread() instanceof PoolThread t && t.pool() == this;
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
        lock.lock();
        try {
            while (!terminatedLocked()) {
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
            unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Python 3.14's {@code terminate_workers} / {@code kill_workers}: shuts down (cancelling queued
     * calls) and ends every worker now; their running calls fail with {@link BrokenProcessPool}.
     *
     * @param kill {@code true}: SIGKILL-like; {@code false}: SIGTERM-like
     */
    public void endWorkers(boolean kill) {
        List<Process> targets = new ArrayList<>();
        String note = kill ? "worker was killed by killWorkers()" : "worker was terminated by terminateWorkers()";
        lock.lock();
        try {
            for (Worker w : workers) {
                if (w.endNote == null) {
                    w.endNote = note;
                }
                if (w.process != null) {
                    targets.add(w.process);
                }
            }
        } finally {
            unlock();
        }
        shutdown(false, true);
        for (Process p : targets) {
            if (kill) {
                p.destroyForcibly();
            } else {
                p.destroy();
            }
        }
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
            for (Worker w : workers) {
                details.add(new WorkerSnapshot(w.name, w.pid, w.tasksDone, w.startedAt, !w.inFlight.isEmpty()));
            }
            started = workersStarted;
        } finally {
            unlock();
        }
        Map<String, Object> cfg = new LinkedHashMap<>(extraConfig);
        String b = broken;
        String state = b != null ? ExecutorSnapshot.BROKEN : shutdown ? ExecutorSnapshot.SHUTDOWN : ExecutorSnapshot.RUNNING;
        return new ExecutorSnapshot(kind, state, config.maxWorkers(), details.size(), started,
                stats.pendingCount(), stats.runningCount(), stats.submittedCount(), stats.succeededCount(),
                stats.failedCount(), stats.cancelledCount(), b, List.copyOf(details), Map.copyOf(cfg));
    }

    /** @return the state name */
    public String state() {
        return broken != null ? ExecutorSnapshot.BROKEN : shutdown ? ExecutorSnapshot.SHUTDOWN : ExecutorSnapshot.RUNNING;
    }
}

package io.github.futures.process;

import io.github.futures.spi.Serialization;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidObjectException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * The main class of a process pool's worker JVM. Not for application code: the pool starts it.
 *
 * <p>Arguments: the maximum message size in bytes, the deserialization filter pattern
 * ({@code -} for the default), and optionally {@code heap}: report the used heap after each call
 * (a HEAP frame), for pools that limit their workers' memory. Without it the used heap is reported
 * after the first call and then at most once every {@link #HEAP_REPORT_NANOS}, for the pool's snapshot.
 *
 * <p>Implementation note. Two threads: one at a time holds the reader role and reads frames from
 * standard input; when a call arrives and no call is running, the reader runs it itself and keeps the
 * role, so a call reaches user code without waiting for a second thread to wake up, and a short call
 * wakes no other thread: the reader reads the next frame when it ends. The other thread watches: when
 * a call has run {@link #HANDOVER_NANOS} on the reader, it takes the reader role over and reads what
 * comes meanwhile. A call that arrives while another runs is queued for the running thread, which takes
 * the queued calls in order before it goes back to reading or watching. Calls therefore run one at a
 * time, in order, but not always on the same thread. The second thread first warms the first-call path
 * when no job came in its first 100 ms ({@link WorkerWarmUp}). When standard input ends without an EXIT
 * frame (the parent died, even by {@code kill -9}), the thread in the reader role halts the JVM at
 * once (in a call's first {@link #HANDOVER_NANOS}, at their end). Each outcome is one frame on standard output,
 * which nothing else can reach (the reader writes there too, under the same lock, to give back a
 * queued call the parent revoked before it started): {@code System.out} and {@code System.err} are
 * redirected to standard error (the parent forwards it, prefixed with this worker's pid) before any
 * user code runs, and {@code System.in} is an empty stream: the raw {@code FileDescriptor.in} and
 * {@code FileDescriptor.out} are the pool's channel. Everything read (initializer, calls, map
 * functions and items) goes through the pool's deserialization filter. The start-up path avoids lambdas and string concatenation, whose first use costs
 * milliseconds of bootstrapping.
 *
 * <p>The filter is made when first needed ({@link #filter()}, by the thread in the reader role),
 * not at start-up: the JDK's filter configuration looks up a logger back-end (about 270 classes,
 * among them a scan of the class path for a {@code System.LoggerFinder}), which a worker whose
 * calls are lambdas that captured nothing and whose items are numbers and strings never needs: for
 * such a lambda under the default pattern, and no JVM-wide filter, {@link LambdaCodec#refusedByDefault}
 * answers for the filter.
 */
public final class WorkerMain {

    /**
     * Exit status when standard input ended (the parent went away, or closed it); the worker says so on
     * standard error first ({@link #STDIN_CLOSED}), so that the parent never takes a call's own
     * {@code System.exit(70)} or {@code halt(70)} for it.
     */
    static final int ORPHANED = 70;
    /**
     * Exit status when the worker's own code failed (anything but the end of standard input escaped its
     * loop: a read or a write of the protocol that failed, a fault of this class); the worker prints
     * {@link #FAILED} and what failed on standard error first.
     */
    static final int FAULT = 71;
    /**
     * What starts each line the worker itself writes on standard error about its end; the parent keeps
     * the last such line to say how the worker ended ({@code WorkerProcess.describeExit}). The exit status
     * alone cannot: a call may exit with any status, and the JVM's own ends have theirs.
     */
    static final String SAYS = "futures worker: ";
    /** The line the worker prints when standard input ended. */
    static final String STDIN_CLOSED = SAYS + "standard input closed, exiting";
    /** The start of the line the worker prints when its own code failed. */
    static final String FAILED = SAYS + "failed in its own code, exiting: ";
    /** The start of the line the shutdown hook prints when a call (anything but a signal) ran System.exit. */
    static final String EXIT_CALLED = SAYS + "System.exit was called by ";
    /** The start of the line the shutdown hook prints when a signal (SIGTERM, SIGINT, SIGHUP) ends the JVM. */
    static final String SIGNALLED = SAYS + "ending on signal ";

    private final int maxMessageSize;
    /** The filter's pattern, or {@code null} for the default. */
    private final String pattern;
    /** The filter, made on first use by the thread in the reader role ({@link #filter()}). */
    private volatile ObjectInputFilter filter;
    private final ClassLoader loader;
    private final DataOutputStream out;
    /** Whether to send a HEAP frame after each call's outcome. */
    private final boolean reportHeap;
    /**
     * Without {@link #reportHeap}, the used heap (for snapshots) is reported after a call at most this
     * often: one small frame a second costs nothing next to a call's own frames.
     */
    static final long HEAP_REPORT_NANOS = 1_000_000_000L;
    /** When the used heap was last reported ({@link System#nanoTime()}), or 0 before. Used by the thread running calls. */
    private long heapReportedAt;
    /**
     * Guards {@link #jobs}, {@link #reader}, {@link #runner}, {@link #startedAt},
     * {@link #watcherParked} and {@link #anyJob}; waited on by the thread that is neither reading nor running.
     */
    private final Object roles = new Object();
    /** Calls read while another call ran, in arrival order. */
    private final ArrayDeque<Job> jobs = new ArrayDeque<>();
    /** The thread in the reader role, or {@code null} before the first takes it. */
    private Thread reader;
    /** The thread running a job (a call, the initializer or EXIT), or {@code null}. */
    private Thread runner;
    /**
     * When the last job that the reader took up itself started ({@link System#nanoTime()}); 0 before the
     * first. While the reader runs it ({@code runner == reader}), the start of the running job.
     */
    private long startedAt;
    /** Whether the watcher waits without a deadline (no job ran lately): the next job to start wakes it. */
    private boolean watcherParked;
    /** Whether a job ever started here (the second thread's warm-up waits for this). */
    private boolean anyJob;
    /**
     * How long a job may run on the thread in the reader role before the other thread takes that role
     * over (reads frames meanwhile, halts the JVM when the parent is gone, gives back a revoked call).
     */
    static final long HANDOVER_NANOS = 10_000_000L;
    private final Wire.Frame frame = new Wire.Frame(4096);
    /** Standard input and the frame read last: used by the thread in the reader role only. */
    private final DataInputStream stdin =
            new DataInputStream(new BufferedInputStream(new FileInputStream(FileDescriptor.in), 1 << 16));
    private final Wire.Incoming incoming = new Wire.Incoming();
    /** This process's id, looked up when a message needs it (ProcessHandle's set-up costs start-up time). */
    private long pid() {
        return ProcessHandle.current().pid();
    }

    private WorkerMain(int maxMessageSize, String pattern, ClassLoader loader, DataOutputStream out,
                       boolean reportHeap) {
        this.maxMessageSize = maxMessageSize;
        this.reportHeap = reportHeap;
        this.pattern = pattern;
        this.loader = loader;
        this.out = out;
    }

    /**
     * The class loader of the application's classes. When the pool handed over the application's
     * class path in {@link WorkerCommand#CLASS_PATH_PROPERTY} (this JVM's own class path is then this
     * library alone), a {@link URLClassLoader} over it, child of the system class loader, becomes the
     * context class loader of both threads, and {@code java.class.path} names the application's class
     * path again, as in the pool's JVM. Otherwise (a plain {@code -cp}, or Spring Boot's launcher,
     * which has set up its own loader) this class's loader.
     */
    private static ClassLoader applicationLoader() throws IOException {
        String classPath = System.getProperty(WorkerCommand.CLASS_PATH_PROPERTY);
        ClassLoader own = WorkerMain.class.getClassLoader();
        if (classPath == null) {
            return own;
        }
        String[] entries = classPath.split(File.pathSeparator, -1);
        URL[] urls = new URL[entries.length];
        for (int i = 0; i < entries.length; i++) {
            // an empty entry is the working directory, as on a -cp
            urls[i] = new File(entries[i].isEmpty() ? "." : entries[i]).getAbsoluteFile().toURI().toURL();
        }
        URLClassLoader loader = new URLClassLoader("futures-worker-app", urls, own);
        System.setProperty("java.class.path", classPath);
        System.clearProperty(WorkerCommand.CLASS_PATH_PROPERTY);
        Thread.currentThread().setContextClassLoader(loader);
        return loader;
    }

    /**
     * Runs the worker until the parent sends EXIT or goes away.
     *
     * @param args maximum message size, filter pattern or {@code -}
     * @throws IOException if the first write to the parent fails
     */
    public static void main(String[] args) throws IOException {
        int max = args.length > 0 ? Integer.parseInt(args[0]) : Wire.DEFAULT_MAX_MESSAGE_SIZE;
        String pattern = args.length > 1 && !"-".equals(args[1]) ? args[1] : null;
        FileOutputStream protocolOut = new FileOutputStream(FileDescriptor.out);
        PrintStream err = new PrintStream(CallContext.markingLines(new FileOutputStream(FileDescriptor.err)), true);
        System.setOut(err);
        System.setErr(err);
        // The raw FileDescriptor.in and FileDescriptor.out are the pool's channel: a call sees an empty
        // System.in (as CPython gives its workers /dev/null), and System.out goes to standard error.
        System.setIn(InputStream.nullInputStream());
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(protocolOut, 1 << 16));
        out.writeLong(Wire.MAGIC);
        out.flush();
        boolean heap = args.length > 2 && "heap".equals(args[2]);
        ClassLoader loader = applicationLoader();
        // After the hello, so off the parent's wait for it; before anything is read, so before any user code.
        Runtime.getRuntime().addShutdownHook(new ExitWitness());
        WorkerMain worker = new WorkerMain(max, pattern, loader, out, heap);
        Thread second = new Thread(worker.new WarmUpThenLoop(), "futures-worker-2");
        second.setDaemon(true);
        second.start();
        worker.new Loop().run();
    }

    /**
     * The shutdown hook: shutdown hooks run when the JVM ends through {@code System.exit} (a call's, most
     * likely) or a signal it handles (SIGTERM, SIGINT, SIGHUP), and never on the worker's own ends
     * ({@code halt}), a SIGKILL or the JVM's exit on running out of memory. It prints which it was on
     * standard error ({@link #EXIT_CALLED} with the caller's frame and thread, or {@link #SIGNALLED}), so
     * that the parent does not read a call's {@code System.exit(137)} as a SIGKILL or its
     * {@code System.exit(3)} as running out of memory. The exit status itself the parent has.
     */
    static final class ExitWitness extends Thread {
        ExitWitness() {
            super("futures-worker-exit");
        }

        @Override
        public void run() {
            try {
                String line = exitLine(Thread.getAllStackTraces());
                if (line != null) {
                    System.err.println(line);
                }
            } catch (Throwable ignored) {
                // the JVM is ending anyway; the parent then has the exit status alone
            }
        }
    }

    /**
     * What ended the JVM, from the stacks of its threads: the one in {@code Shutdown.exit}. A signal's is
     * the JDK's {@code Terminator}; otherwise the frame that called {@code System.exit} or
     * {@code Runtime.exit}. Null when none is found, or when this class itself exits (after its
     * initializer failed: the INIT_FAILED frame says why).
     */
    static String exitLine(Map<Thread, StackTraceElement[]> stacks) {
        for (Map.Entry<Thread, StackTraceElement[]> e : stacks.entrySet()) {
            StackTraceElement[] frames = e.getValue();
            int exit = -1;
            for (int i = 0; i < frames.length; i++) {
                if ("java.lang.Shutdown".equals(frames[i].getClassName()) && "exit".equals(frames[i].getMethodName())) {
                    exit = i;
                }
            }
            if (exit < 0) {
                continue;
            }
            int caller = exit + 1;
            while (caller < frames.length && (frames[caller].getClassName().equals("java.lang.Runtime")
                    || frames[caller].getClassName().equals("java.lang.System")
                    || frames[caller].getClassName().startsWith("java.lang.RuntimeHelper"))) {
                caller++;
            }
            String name = e.getKey().getName();
            if (caller >= frames.length || frames[caller].getClassName().startsWith("java.lang.Terminator")
                    || frames[caller].getClassName().startsWith("jdk.internal.misc.Signal")) {
                // The JDK runs a signal's handler in a thread named after it ("SIGTERM handler").
                return SIGNALLED + (name.endsWith(" handler") ? name.substring(0, name.length() - 8) : name);
            }
            if (frames[caller].getClassName().equals(WorkerMain.class.getName())) {
                return null;
            }
            StackTraceElement f = frames[caller]; // named without its loader ("futures-worker-app//...")
            return EXIT_CALLED + f.getClassName() + "." + f.getMethodName() + "(" + f.getFileName() + ":"
                    + f.getLineNumber() + ") in thread " + name;
        }
        return null;
    }

    /** The pool's filter, made on first use (the JDK's filter configuration is costly to start). */
    private ObjectInputFilter filter() {
        ObjectInputFilter f = filter;
        if (f == null) {
            f = Serialization.filter(pattern);
            filter = f;
        }
        return f;
    }

    /** One unit of work: a call, a map chunk, the initializer or EXIT. */
    private static final class Job {
        final byte type;
        final long id;
        final Object payload;
        final Exception unreadable;
        /** The caller's context entries (CallContext), restored around the call; null when none came. */
        final Map<String, String> context;

        Job(byte type, long id, Object payload, Exception unreadable, Map<String, String> context) {
            this.type = type;
            this.id = id;
            this.payload = payload;
            this.unreadable = unreadable;
            this.context = context;
        }
    }

    /**
     * What both threads run: wait for the reader role, read until a job is due to run here, run it (and
     * the jobs queued meanwhile), repeat. Halts the JVM when the parent is gone.
     */
    private final class Loop implements Runnable {
        @Override
        public void run() {
            try {
                Thread me = Thread.currentThread();
                for (;;) {
                    Job job = lead(me);
                    while (job != null) {
                        perform(job);
                        boolean readOn = false;
                        synchronized (roles) {
                            job = jobs.poll();
                            if (job == null) {
                                runner = null;
                                readOn = reader == me; // still the reader: nothing was read meanwhile
                            }
                        }
                        if (readOn) {
                            job = read(me);
                        }
                    }
                }
            } catch (EOFException parentGone) {
                System.err.println(STDIN_CLOSED); // lost when the parent is gone; read when it closed our input
                Runtime.getRuntime().halt(ORPHANED);
            } catch (Throwable t) {
                String what;
                try {
                    what = ExceptionEnvelope.describe(t);
                } catch (Throwable again) {
                    what = t.getClass().getName();
                }
                System.err.println(FAILED + what);
                Runtime.getRuntime().halt(FAULT);
            }
        }

        /** Watches until this thread takes the reader role, then reads until a job is due to run here. */
        private Job lead(Thread me) throws IOException {
            synchronized (roles) {
                watch(me);
            }
            return read(me);
        }

        /**
         * Reads frames until one is to run on this thread: the first job that arrives while no job runs;
         * this thread keeps the reader role while it runs it. Jobs that arrive while one runs are queued for it.
         * Called holding the reader role, not the monitor of {@link #roles}.
         */
        private Job read(Thread me) throws IOException {
            for (;;) {
                Job job = next(stdin, incoming);
                if (job == null) {
                    continue;
                }
                synchronized (roles) {
                    if (runner != null) {
                        jobs.add(job);
                        if (job.type == Wire.EXIT) {
                            // Nothing more will come; the running thread halts the JVM after EXIT.
                            for (;;) {
                                try {
                                    roles.wait();
                                } catch (InterruptedException e) {
                                    Thread.interrupted();
                                }
                            }
                        }
                        continue;
                    }
                    runner = me;
                    startedAt = System.nanoTime();
                    if (watcherParked || !anyJob) {
                        watcherParked = false;
                        anyJob = true;
                        roles.notifyAll();
                    }
                    return job;
                }
            }
        }
    }

    /**
     * The thread that neither reads nor runs: waits (holding {@link #roles}' monitor) until it takes the
     * reader role: when no thread has it, or when the job the reader runs has run {@link #HANDOVER_NANOS}.
     * A job that ends sooner costs no thread a wake-up: the thread that read it reads on. While jobs keep
     * starting the wait has a deadline (at most one wake-up every {@link #HANDOVER_NANOS}); when none
     * started for that long it has none, and the next job to start wakes it.
     */
    private void watch(Thread me) {
        for (;;) {
            long now = System.nanoTime();
            long waitNanos;
            if (reader == null) {
                reader = me;
                return;
            }
            if (runner != null && runner == reader) {
                waitNanos = startedAt + HANDOVER_NANOS - now;
                if (waitNanos <= 0L) {
                    reader = me; // the job runs on; this thread reads meanwhile
                    return;
                }
            } else if (startedAt != 0L && now - startedAt < HANDOVER_NANOS) {
                waitNanos = HANDOVER_NANOS;
            } else {
                waitNanos = 0L;
            }
            try {
                if (waitNanos == 0L) {
                    watcherParked = true;
                    roles.wait();
                    watcherParked = false; // woken by a job's start, or spuriously: look again
                } else {
                    roles.wait(waitNanos / 1_000_000L + 1L);
                }
            } catch (InterruptedException e) {
                Thread.interrupted(); // a call interrupted itself and left no flag for us: go on
            }
        }
    }

    /** How long the second thread waits for a first job before it warms the first-call path. */
    static final long WARM_UP_AFTER_MILLIS = 100L;

    /**
     * The second thread: when no job has come {@link #WARM_UP_AFTER_MILLIS} after it started (a worker
     * started ahead of its calls), it warms the first-call path ({@link WorkerWarmUp}); then it loops. A
     * worker started for calls already queued gets its first job at once and skips the warm-up: on a small
     * machine the warm-up would compete with that call for the CPU, and the call does the same work.
     */
    private final class WarmUpThenLoop implements Runnable {
        @Override
        public void run() {
            if (noJobFor(WARM_UP_AFTER_MILLIS)) {
                WorkerWarmUp.run(loader);
            }
            new Loop().run();
        }
    }

    /**
     * Waits up to {@code millis} for the first job to start running; the first job's start wakes this
     * wait. Returns whether none did.
     */
    private boolean noJobFor(long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        synchronized (roles) {
            for (long left = millis; !anyJob && left > 0L; left = (deadline - System.nanoTime()) / 1_000_000L) {
                try {
                    roles.wait(left);
                } catch (InterruptedException e) {
                    Thread.interrupted(); // nothing interrupts this thread on purpose: go on
                }
            }
            return !anyJob;
        }
    }

    /** Reads one frame; returns its job, or {@code null} for a frame handled here (REVOKE). */
    private Job next(DataInputStream in, Wire.Incoming f) throws IOException {
        Wire.read(in, maxMessageSize, f);
        if (f.type == Wire.EXIT) {
            return new Job(Wire.EXIT, 0L, null, null, null);
        }
        if (f.type == Wire.REVOKE) {
            revoke(f.id);
            return null;
        }
        Map<String, String> context = null;
        if (f.type == CallContext.CTX_TASK || f.type == CallContext.CTX_MAP) {
            // The context block is checked against the frame read whole: a block that lies fails this call only.
            byte plain = f.type == CallContext.CTX_MAP ? Wire.MAP : Wire.TASK;
            try {
                context = CallContext.read(f.payload);
                f.payload = CallContext.rest(f.payload);
                f.type = plain;
            } catch (IOException e) {
                f.payload = null;
                return new Job(Wire.TASK, f.id, null, e, null);
            }
        }
        if (f.type == Wire.MAP) {
            Object chunk = null;
            Exception unreadable = null;
            try {
                chunk = readChunk(f.payload);
            } catch (Exception e) {
                unreadable = e;
            }
            f.payload = null;
            return new Job(Wire.TASK, f.id, chunk, unreadable, context);
        }
        Object payload = null;
        Exception unreadable = null;
        try {
            payload = f.type == Wire.TASK ? readCall(f.payload) : Wire.deserialize(f.payload, 0, filter(), loader);
        } catch (Exception e) {
            unreadable = e;
        }
        f.payload = null;
        return new Job(f.type, f.id, payload, unreadable, context);
    }

    /**
     * Stateless calls seen before, by their serialized form: a call that captured nothing is the same
     * call each time, so it is deserialized once. Used by the thread in the reader role only.
     */
    private final byte[][] cachedBytes = new byte[16][];
    private final Object[] cachedTasks = new Object[16];
    private int cacheNext;

    /** Deserializes a call or map function, or takes it from the cache; remembers it if stateless. */
    private Object readCall(byte[] payload) throws IOException, ClassNotFoundException {
        Object call = cachedTask(payload);
        if (call == null) {
            if (LambdaCodec.isEncoded(payload)) {
                boolean light = filter == null && pattern == null && !LambdaCodec.jvmWideFilterConfigured();
                call = LambdaCodec.decode(payload, light ? null : filter(), loader);
            } else {
                call = Wire.deserialize(payload, 0, filter(), loader);
            }
            if (call != null && Wire.STATELESS.get(call.getClass())) {
                remember(payload, call);
            }
        }
        return call;
    }

    private Object cachedTask(byte[] payload) {
        for (int i = 0; i < cachedBytes.length; i++) {
            byte[] b = cachedBytes[i];
            if (b != null && b.length == payload.length && Arrays.equals(b, payload)) {
                return cachedTasks[i];
            }
        }
        return null;
    }

    private void remember(byte[] payload, Object task) {
        if (payload.length <= 4096) {
            int i = cacheNext;
            cacheNext = (i + 1) % cachedBytes.length;
            cachedBytes[i] = payload;
            cachedTasks[i] = task;
        }
    }

    /** A MAP frame (layout: {@link Wire#mapFrame}): the function, deserialized once when it is stateless, and the items. */
    private Chunk readChunk(byte[] payload) throws IOException, ClassNotFoundException {
        Object fn = readCall(Wire.mapFunction(payload));
        Object items = Wire.mapItems(payload, Wire.mapItemsSerialized(payload) ? filter() : null, loader);
        @SuppressWarnings("unchecked")
        Function<Object, Object> f = (Function<Object, Object>) fn;
        return new Chunk(f, (List<?>) items);
    }

    /** One chunk of a map: the function applied to each item, in order. */
    private static final class Chunk implements Callable<ArrayList<Object>> {
        private final Function<Object, Object> fn;
        private final List<?> items;

        Chunk(Function<Object, Object> fn, List<?> items) {
            this.fn = fn;
            this.items = items;
        }

        @Override
        public ArrayList<Object> call() {
            ArrayList<Object> out = new ArrayList<>(items.size());
            for (Object item : items) {
                out.add(fn.apply(item));
            }
            return out;
        }
    }

    /** Gives a call back to the parent if it is still queued, not started. */
    private void revoke(long id) throws IOException {
        boolean removed = false;
        synchronized (roles) {
            for (Iterator<Job> it = jobs.iterator(); it.hasNext(); ) {
                Job j = it.next();
                if (j.id == id && j.type == Wire.TASK) {
                    it.remove();
                    removed = true;
                    break;
                }
            }
        }
        if (removed) {
            byte[] frame = new Wire.Frame(Wire.HEADER).begin().finish(Wire.REVOKED, id).toByteArray();
            synchronized (out) {
                out.write(frame);
                out.flush();
            }
        }
    }

    /** Runs one job on the calling thread. */
    private void perform(Job job) throws IOException {
        if (job.type == Wire.EXIT) {
            synchronized (out) {
                out.flush();
            }
            // As CPython's workers (os._exit after their loop): no shutdown hooks, a fast exit.
            Runtime.getRuntime().halt(0);
        } else if (job.type == Wire.INIT) {
            runInitializer(job);
        } else {
            runTask(job);
            long now = reportHeap ? 0L : System.nanoTime();
            if (reportHeap || heapReportedAt == 0L || now - heapReportedAt >= HEAP_REPORT_NANOS) {
                heapReportedAt = now == 0L ? 1L : now;
                Runtime rt = Runtime.getRuntime();
                sendEmpty(Wire.HEAP, rt.totalMemory() - rt.freeMemory());
            }
        }
    }

    private void runInitializer(Job job) throws IOException {
        Throwable failure = job.unreadable == null ? null
                : new InvalidObjectException(describeUnreadable("the initializer", job.unreadable));
        if (failure != null) {
            failure.initCause(job.unreadable);
        } else {
            try {
                ((Runnable) job.payload).run();
                sendEmpty(Wire.INIT_DONE, job.id);
                return;
            } catch (Throwable t) {
                failure = t;
            }
        }
        sendException(Wire.INIT_FAILED, job.id, failure);
        out.flush();
        System.exit(1);
    }

    /** Sends a frame without payload. */
    private void sendEmpty(byte type, long id) throws IOException {
        byte[] f = new Wire.Frame(Wire.HEADER).begin().finish(type, id).toByteArray();
        synchronized (out) {
            out.write(f);
            out.flush();
        }
    }

    private void runTask(Job job) throws IOException {
        if (job.unreadable != null) {
            InvalidObjectException x = new InvalidObjectException(describeUnreadable("the task", job.unreadable));
            x.initCause(job.unreadable);
            sendException(Wire.EXCEPTION, job.id, x);
            return;
        }
        Object value = null;
        Throwable failure = null;
        CallContext.Restore restore = job.context == null ? null : CallContext.enter(job.context, loader, true);
        try {
            value = ((Callable<?>) job.payload).call();
        } catch (Throwable t) {
            failure = t;
        } finally {
            CallContext.exit(restore); // whatever the outcome: nothing of this call's context is left for the next
        }
        if (failure != null) {
            Thread.interrupted();
            sendException(Wire.EXCEPTION, job.id, failure);
            return;
        }
        Thread.interrupted();
        Wire.Frame fr = frame;
        Throwable problem = null;
        try {
            Wire.encodeValue(fr, value);
            if (fr.payloadSize() > maxMessageSize) {
                problem = new IOException(new StringBuilder("The result of the task (")
                        .append(value.getClass().getName()).append(") is ").append(fr.payloadSize())
                        .append(" bytes serialized, more than maxMessageSize (").append(maxMessageSize)
                        .append(" bytes); raise it with ProcessPoolExecutor.builder().maxMessageSize(...)"
                                + " or return less data").toString());
            }
        } catch (Throwable t) {
            NotSerializableException x = new NotSerializableException(new StringBuilder("The result of the task (")
                    .append(value.getClass().getName()).append(") could not be serialized to return it from worker pid ")
                    .append(pid()).append(": ").append(ExceptionEnvelope.describe(t)).toString());
            x.initCause(t);
            problem = x;
        }
        if (problem != null) {
            fr.trim();
            sendException(Wire.EXCEPTION, job.id, problem);
            return;
        }
        fr.finish(Wire.RESULT, job.id);
        synchronized (out) {
            fr.writeTo(out);
            out.flush();
        }
        fr.trim();
    }

    private String describeUnreadable(String what, Exception e) {
        return new StringBuilder("Worker pid ").append(pid()).append(" could not deserialize ").append(what)
                .append(": ").append(ExceptionEnvelope.describe(e)).toString();
    }

    /**
     * Sends an exception; never fails because of the exception itself: whatever its serialization,
     * its stack trace or its message throw (a 20 000-deep cause chain overflows the stack of both),
     * an envelope with what could be learnt goes back.
     */
    private void sendException(byte type, long id, Throwable t) throws IOException {
        String className = t.getClass().getName();
        String trace;
        try {
            trace = ExceptionEnvelope.traceOf(t);
        } catch (Throwable e) {
            trace = new StringBuilder(className).append(" (its stack trace could not be printed: ")
                    .append(ExceptionEnvelope.describe(e))
                    .append(")\n").toString();
        }
        byte[] bytes = null;
        String why = null;
        Wire.Frame fr = frame;
        try {
            Wire.serialize(fr, t);
            if (fr.payloadSize() > maxMessageSize / 2) {
                why = "it is larger than maxMessageSize / 2";
            } else {
                bytes = Arrays.copyOfRange(fr.array(), Wire.HEADER, fr.size());
            }
        } catch (Throwable e) {
            why = ExceptionEnvelope.describe(e);
        }
        fr.trim();
        if (trace.length() > maxMessageSize / 8) {
            trace = trace.substring(0, maxMessageSize / 8) + "\n\t... (trace truncated)\n";
        }
        String message;
        try {
            message = t.getMessage();
        } catch (Throwable e) {
            message = null;
        }
        if (message != null && message.length() > maxMessageSize / 8) {
            message = message.substring(0, maxMessageSize / 8);
        }
        Wire.writeEnvelope(fr, new ExceptionEnvelope(className, message, trace, bytes, why));
        fr.finish(type, id);
        synchronized (out) {
            fr.writeTo(out);
            out.flush();
        }
        fr.trim();
    }
}

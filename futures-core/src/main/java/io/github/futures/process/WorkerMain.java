package io.github.futures.process;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The main class of a process pool's worker JVM. Not for application code: the pool starts it.
 *
 * <p>Arguments: the maximum message size in bytes, and the deserialization filter pattern
 * ({@code -} for the default).
 *
 * <p>Implementation note. Two threads. The "stdin" thread reads frames from standard input and
 * deserializes them into jobs on a queue; when standard input ends without an EXIT frame (the
 * parent died, even by {@code kill -9}), it halts the JVM at once, even while a task runs. The main
 * thread takes jobs one at a time, runs them and writes each outcome as one frame to standard output,
 * which nothing else can reach (the stdin thread writes there too, under the same lock, to give back
 * a call the parent revoked before it started): {@code System.out} and {@code System.err} are redirected to standard
 * error (the parent forwards it, prefixed with this worker's pid) before any user code runs. The
 * start-up path avoids lambdas and string concatenation, whose first use costs milliseconds of
 * bootstrapping.
 */
public final class WorkerMain {

    /** Exit status when the parent went away. */
    static final int ORPHANED = 70;

    private final int maxMessageSize;
    private final ObjectInputFilter filter;
    private final ClassLoader loader;
    private final DataOutputStream out;
    private final LinkedBlockingQueue<Job> jobs = new LinkedBlockingQueue<>();
    private final Wire.Frame frame = new Wire.Frame(4096);
    /** This process's id, looked up when a message needs it (ProcessHandle's set-up costs start-up time). */
    private long pid() {
        return ProcessHandle.current().pid();
    }

    private WorkerMain(int maxMessageSize, ObjectInputFilter filter, DataOutputStream out) {
        this.maxMessageSize = maxMessageSize;
        this.filter = filter;
        this.loader = WorkerMain.class.getClassLoader();
        this.out = out;
    }

    /**
     * Runs the worker until the parent sends EXIT or goes away.
     *
     * @param args maximum message size, filter pattern or {@code -}
     * @throws IOException if the first write to the parent fails
     */
    public static void main(String[] args) throws IOException {
        FileOutputStream protocolOut = new FileOutputStream(FileDescriptor.out);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true);
        System.setOut(err);
        System.setErr(err);
        int max = args.length > 0 ? Integer.parseInt(args[0]) : Wire.DEFAULT_MAX_MESSAGE_SIZE;
        String pattern = args.length > 1 && !"-".equals(args[1]) ? args[1] : null;
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(protocolOut, 1 << 16));
        out.writeLong(Wire.MAGIC);
        out.flush();
        WorkerMain worker = new WorkerMain(max, Wire.filter(pattern), out);
        Thread reader = new Thread(worker.new Reader(), "futures-worker-stdin");
        reader.setDaemon(true);
        reader.start();
        worker.serve();
    }

    /** One unit of work for the main thread. */
    private static final class Job {
        final byte type;
        final long id;
        final Object payload;
        final Exception unreadable;

        Job(byte type, long id, Object payload, Exception unreadable) {
            this.type = type;
            this.id = id;
            this.payload = payload;
            this.unreadable = unreadable;
        }
    }

    /** Reads frames from standard input; halts the JVM when the parent is gone. */
    private final class Reader implements Runnable {
        @Override
        public void run() {
            DataInputStream in = new DataInputStream(new BufferedInputStream(new FileInputStream(FileDescriptor.in), 1 << 16));
            Wire.Incoming f = new Wire.Incoming();
            try {
                for (;;) {
                    Wire.read(in, maxMessageSize, f);
                    if (f.type == Wire.EXIT) {
                        jobs.add(new Job(Wire.EXIT, 0L, null, null));
                        return;
                    }
                    if (f.type == Wire.REVOKE) {
                        revoke(f.id);
                        continue;
                    }
                    Object payload = null;
                    Exception unreadable = null;
                    try {
                        payload = f.type == Wire.TASK ? cachedTask(f.payload) : null;
                        if (payload == null) {
                            payload = Wire.deserialize(f.payload, filter, loader);
                            if (f.type == Wire.TASK && payload != null && Wire.STATELESS.get(payload.getClass())) {
                                remember(f.payload, payload);
                            }
                        }
                    } catch (Exception e) {
                        unreadable = e;
                    }
                    f.payload = null;
                    jobs.add(new Job(f.type, f.id, payload, unreadable));
                }
            } catch (EOFException parentGone) {
                Runtime.getRuntime().halt(ORPHANED);
            } catch (Throwable t) {
                System.err.println("futures worker: cannot read from the parent process, exiting: " + t);
                Runtime.getRuntime().halt(ORPHANED);
            }
        }
    }

    /**
     * Stateless calls seen before, by their serialized form: a call that captured nothing is the same
     * call each time, so it is deserialized once. Used by the stdin thread only.
     */
    private final byte[][] cachedBytes = new byte[16][];
    private final Object[] cachedTasks = new Object[16];
    private int cacheNext;

    private Object cachedTask(byte[] payload) {
        for (int i = 0; i < cachedBytes.length; i++) {
            byte[] b = cachedBytes[i];
            if (b != null && b.length == payload.length && java.util.Arrays.equals(b, payload)) {
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

    /** Gives a call back to the parent if the main thread has not taken it yet. */
    private void revoke(long id) throws IOException {
        for (Job j : jobs) {
            if (j.id == id && j.type == Wire.TASK) {
                if (jobs.remove(j)) {
                    byte[] frame = new Wire.Frame(Wire.HEADER).begin().finish(Wire.REVOKED, id).toByteArray();
                    synchronized (out) {
                        out.write(frame);
                        out.flush();
                    }
                }
                return;
            }
        }
    }

    private void serve() throws IOException {
        for (;;) {
            Job job;
            try {
                job = jobs.take();
            } catch (InterruptedException e) {
                Thread.interrupted();
                continue;
            }
            if (job.type == Wire.EXIT) {
                synchronized (out) {
                    out.flush();
                }
                // As CPython's workers (os._exit after their loop): no shutdown hooks, a fast exit.
                Runtime.getRuntime().halt(0);
                return;
            }
            if (job.type == Wire.INIT) {
                runInitializer(job);
            } else {
                runTask(job);
            }
        }
    }

    private void runInitializer(Job job) throws IOException {
        Throwable failure = job.unreadable == null ? null
                : new java.io.InvalidObjectException(describeUnreadable("the initializer", job.unreadable));
        if (failure != null) {
            failure.initCause(job.unreadable);
        } else {
            try {
                ((Runnable) job.payload).run();
                return;
            } catch (Throwable t) {
                failure = t;
            }
        }
        sendException(Wire.INIT_FAILED, job.id, failure);
        out.flush();
        System.exit(1);
    }

    private void runTask(Job job) throws IOException {
        if (job.unreadable != null) {
            java.io.InvalidObjectException x = new java.io.InvalidObjectException(describeUnreadable("the task", job.unreadable));
            x.initCause(job.unreadable);
            sendException(Wire.EXCEPTION, job.id, x);
            return;
        }
        Object value;
        try {
            value = ((Callable<?>) job.payload).call();
        } catch (Throwable t) {
            Thread.interrupted();
            sendException(Wire.EXCEPTION, job.id, t);
            return;
        }
        Thread.interrupted();
        Wire.Frame fr = frame;
        Throwable problem = null;
        try {
            Wire.encodeValue(fr, value);
            if (fr.payloadSize() > maxMessageSize) {
                problem = new java.io.IOException(new StringBuilder("The result of the task (")
                        .append(value.getClass().getName()).append(") is ").append(fr.payloadSize())
                        .append(" bytes serialized, more than maxMessageSize (").append(maxMessageSize)
                        .append(" bytes); raise it with ProcessPoolExecutor.builder().maxMessageSize(...)"
                                + " or return less data").toString());
            }
        } catch (Throwable t) {
            NotSerializableException x = new NotSerializableException(new StringBuilder("The result of the task (")
                    .append(value.getClass().getName()).append(") could not be serialized to return it from worker pid ")
                    .append(pid()).append(": ").append(t).toString());
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
                .append(": ").append(e).toString();
    }

    /** Sends an exception; never fails because of the exception itself. */
    private void sendException(byte type, long id, Throwable t) throws IOException {
        String trace = ExceptionEnvelope.traceOf(t);
        byte[] bytes = null;
        String why = null;
        Wire.Frame fr = frame;
        try {
            Wire.serialize(fr, t);
            if (fr.payloadSize() > maxMessageSize / 2) {
                why = "it is larger than maxMessageSize / 2";
            } else {
                bytes = java.util.Arrays.copyOfRange(fr.array(), Wire.HEADER, fr.size());
            }
        } catch (Throwable e) {
            why = e.toString();
        }
        if (trace.length() > maxMessageSize / 8) {
            trace = trace.substring(0, maxMessageSize / 8) + "\n\t... (trace truncated)\n";
        }
        String message = t.getMessage();
        if (message != null && message.length() > maxMessageSize / 8) {
            message = message.substring(0, maxMessageSize / 8);
        }
        ExceptionEnvelope env = new ExceptionEnvelope(t.getClass().getName(), message, trace, bytes, why);
        Wire.serialize(fr, env);
        fr.finish(type, id);
        synchronized (out) {
            fr.writeTo(out);
            out.flush();
        }
        fr.trim();
    }
}

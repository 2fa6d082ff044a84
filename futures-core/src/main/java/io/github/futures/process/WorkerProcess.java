package io.github.futures.process;

import io.github.futures.spi.CommandLines;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.StreamCorruptedException;
import java.nio.charset.Charset;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One worker JVM as the parent sees it: starts the process, writes frames to its standard input,
 * reads its standard output, forwards its standard error, and tells a {@link Listener} (the pool)
 * what happened. Knows nothing of queues or futures.
 *
 * <pre>
 *  pool ──write(frame)──▶ stdin ──▶ ┌──────────────┐
 *                                   │  worker JVM  │ ──stderr──▶ pump thread ──▶ System.err "[worker pid] ..."
 *  pool ◀──frame()─── reader ◀───── │  WorkerMain  │
 *       ◀──died()──── (EOF, bad frame, or could not start)
 * </pre>
 *
 * <p>Implementation note. One platform thread per worker ({@link #thread}, the reader) spawns the
 * process (so several start in parallel), writes the initializer, performs the handshake and reads
 * frames until the end; a second thread forwards standard error line by line, prefixed with the
 * pid ({@code [worker 4242] ...}), or with the pid and the caller's trace id for a line the worker
 * began while a call carrying a W3C {@code traceparent} ran ({@code [worker 4242
 * trace=4bf92f3577b34da6a3ce929d0e0e4736] ...}; see {@link CallContext}). Death is seen as
 * end-of-file on standard output (no polling).
 *
 * <p>The reader has one guard, at its top: any {@link Throwable} while a frame is read or handled.
 * When the frame was read whole (its length said where it ends), the stream is still in sync: the
 * listener is told ({@link Listener#frameFailed}) and fails the call the frame was for, and reading
 * goes on. Otherwise (bytes that are not a frame, a read that failed half-way) the stream cannot be
 * trusted: the process is destroyed and {@link Listener#died} says why. Either way the reader never
 * ends while the process lives, and never without telling the listener.
 *
 * <p>Fields: {@link #stdin} is guarded by {@link #writeLock} (null before the process exists and
 * after it died); {@link #process}, {@link #pid} and {@link #ready} are written by the reader thread
 * and read anywhere.
 *
 * <p>Internal: public for the process pool in {@code io.github.futures}; not part of the API.
 */
public final class WorkerProcess implements Runnable {

    /** What a worker reports to its pool. Called in the worker's reader thread. */
    public interface Listener {
        /**
         * The process exists.
         *
         * @param w the worker
         * @return {@code true} to have it destroyed at once (its end was asked for meanwhile)
         */
        boolean started(WorkerProcess w);

        /**
         * The initializer (if any) was written: the worker takes calls from now on.
         *
         * @param w the worker
         */
        void ready(WorkerProcess w);

        /**
         * The worker said hello: its JVM is up.
         *
         * @param w the worker
         */
        default void hello(WorkerProcess w) {
        }

        /**
         * A whole frame arrived (the listener takes its payload).
         *
         * @param w the worker
         * @param f the frame
         * @throws Exception if it cannot be handled ({@link #frameFailed} is told next)
         */
        void frame(WorkerProcess w, Wire.Incoming f) throws Exception;

        /**
         * A frame read whole could not be handled: fail what it was for.
         *
         * @param w the worker
         * @param f the frame
         * @param t what went wrong
         * @return {@code false} if the stream can no longer be trusted (the worker is then destroyed)
         */
        boolean frameFailed(WorkerProcess w, Wire.Incoming f, Throwable t);

        /**
         * The process ended or never started; called once, last.
         *
         * @param w the worker
         * @param trouble what went wrong, or {@code null} for a plain end of its output
         * @param exit how it ended ({@link #describeExit})
         * @param earlyErrors its last lines of standard error before it said hello, or empty
         */
        void died(WorkerProcess w, String trouble, String exit, String earlyErrors);
    }

    /**
     * The reader thread's stack: deep enough that an object graph as deep as the default filter
     * allows ({@code maxdepth=2000}, such as a 2000-deep exception chain) is read and refused by the
     * filter's limit rather than by a StackOverflowError; reserved, not committed, until used.
     */
    static final long READER_STACK_BYTES = 16L << 20;

    /** The reader thread: daemon, and knows its pool (so that the pool can tell its own threads). */
    public static final class ReaderThread extends Thread {
        private final Object owner;

        ReaderThread(Runnable r, String name, Object owner) {
            super(null, r, name, READER_STACK_BYTES);
            this.owner = owner;
            setDaemon(true);
        }

        /** @return the pool this thread works for */
        public Object owner() {
            return owner;
        }
    }

    private static final byte[] NOTHING = new byte[0];

    /** The worker's name, {@code <pool>-worker-<n>}; its reader thread's name. */
    public final String name;
    /** The reader thread; started by the pool, it starts the process. */
    public final ReaderThread thread;
    /** When this worker was created. */
    public final Instant startedAt = Instant.now();
    /** Where the command comes from when it is not given: looked up by the reader thread, off the caller's. */
    private final StartupArchive archive;
    /** The command that starts the worker JVM; set by the reader thread before the process starts when made from {@link #archive}. */
    private volatile List<String> command;
    private final Map<String, String> environment;
    private final byte[] initFrame;
    private final int maxMessageSize;
    private final Listener listener;
    /** What each forwarded line starts with, before the pid: {@code [worker } or {@code [<pool> worker }. */
    private final String linePrefix;
    private final Object writeLock = new Object();
    private OutputStream stdin;
    volatile Process process;
    /** The process id, or -1 before the process exists. */
    public volatile long pid = -1L;
    /** Whether the worker said hello; before that its standard error is remembered. */
    private volatile boolean ready;
    /** The last lines of standard error before the worker said hello. Guarded by itself. */
    private final ArrayDeque<String> earlyErr = new ArrayDeque<>();
    /**
     * The last line of standard error that says how the worker ends: one the worker writes itself
     * ({@link WorkerMain#SAYS}) or the JVM's own on running out of memory ({@link #OUT_OF_MEMORY}); null
     * before. Written by the pump, read once the process ended ({@link #describeExit(long, Integer, String)}).
     */
    private volatile String lastWords;
    /** What a JVM under {@code -XX:+ExitOnOutOfMemoryError} prints (to stderr here) before it exits with 3. */
    static final String OUT_OF_MEMORY = "Terminating due to java.lang.OutOfMemoryError";
    private Thread pump;
    /** Counted down when the stderr pump sees the end of a JVM thread dump; set by {@link #threadDumpText}. */
    private volatile CountDownLatch dumpEnd;
    /**
     * Collects the dump's lines while one is asked for (the pump appends, under the builder's own
     * monitor, from the line starting {@code Full thread dump}); null otherwise.
     */
    private volatile StringBuilder dumpText;
    /** Held while a thread dump is asked for: one at a time. */
    private final Object dumpLock = new Object();

    /**
     * A worker; nothing starts before {@code thread.start()}. The lines it prints are forwarded as
     * {@code [<poolName> worker <pid>] ...}.
     *
     * @param name the worker's name
     * @param poolName the pool's name for forwarded lines, or {@code null} for {@code [worker <pid>] ...}
     * @param owner the pool (the thread's {@link ReaderThread#owner()})
     * @param command the command that starts the worker JVM
     * @param environment extra environment variables
     * @param initFrame the INIT frame to write first, or {@code null}
     * @param maxMessageSize the largest payload read, in bytes
     * @param listener told what happens, in the reader thread
     */
    public WorkerProcess(String name, String poolName, Object owner, List<String> command,
                         Map<String, String> environment, byte[] initFrame, int maxMessageSize, Listener listener) {
        this(name, poolName, owner, command, null, environment, initFrame, maxMessageSize, listener);
    }

    /**
     * A worker whose command the archive gives ({@link StartupArchive#command()}), asked for by the
     * reader thread when it starts the process: the archive's file-system checks stay off the thread
     * that created the worker (a pool's first submit). Nothing starts before {@code thread.start()}.
     *
     * @param name the worker's name
     * @param poolName the pool's name for forwarded lines, or {@code null} for {@code [worker <pid>] ...}
     * @param owner the pool (the thread's {@link ReaderThread#owner()})
     * @param archive gives the command that starts the worker JVM
     * @param environment extra environment variables
     * @param initFrame the INIT frame to write first, or {@code null}
     * @param maxMessageSize the largest payload read, in bytes
     * @param listener told what happens, in the reader thread
     */
    public WorkerProcess(String name, String poolName, Object owner, StartupArchive archive,
                         Map<String, String> environment, byte[] initFrame, int maxMessageSize, Listener listener) {
        this(name, poolName, owner, null, archive, environment, initFrame, maxMessageSize, listener);
    }

    private WorkerProcess(String name, String poolName, Object owner, List<String> command, StartupArchive archive,
                          Map<String, String> environment, byte[] initFrame, int maxMessageSize, Listener listener) {
        this.name = name;
        this.linePrefix = poolName == null ? "[worker " : "[" + poolName + " worker ";
        this.command = command;
        this.archive = archive;
        this.environment = environment;
        this.initFrame = initFrame;
        this.maxMessageSize = maxMessageSize;
        this.listener = listener;
        this.thread = new ReaderThread(this, name, owner);
    }

    /**
     * Writes a frame, outside any pool lock. A worker that is gone is not an error here: its reader
     * sees the end of its output and reports it.
     *
     * @param frame the whole frame
     * @param flush whether to flush (the last of consecutive frames to this worker)
     */
    public void write(byte[] frame, boolean flush) {
        synchronized (writeLock) {
            OutputStream out = stdin;
            if (out == null) {
                return;
            }
            try {
                out.write(frame);
                if (flush) {
                    out.flush();
                }
            } catch (IOException e) {
                // The worker is gone or going (its stdin is closed only when it ends): the reader sees
                // the end of its output. No destroy here: the JDK's destroy also closes the process's
                // stdout and stderr, which would lose the worker's last words (a JVM that cannot start
                // explains why on stderr).
            }
        }
    }

    /** @return whether the worker said hello (it started) */
    public boolean ready() {
        return ready;
    }

    /** How a HotSpot thread dump's thread list ends ({@code JNI global refs: 7, weak refs: 0}). */
    static final String DUMP_LAST_LINE = "JNI global refs";

    /**
     * Makes the JVM print its own thread dump and waits until it has been forwarded, at most
     * {@code millis}. On Unix it sends SIGQUIT ({@code kill -QUIT pid}). A JVM prints that dump on
     * its standard output, which is the pool's protocol channel here; workers run with
     * {@code -XX:+DisplayVMOutputToStderr} ({@link WorkerCommand#SAFETY_OPTIONS}), which sends all of the
     * JVM's own output, the dump included, to standard error instead: the pump forwards it like
     * anything else the worker prints, and the protocol stream stays clean. The dump is over when the
     * line {@value #DUMP_LAST_LINE} passes (the heap summary after it may be cut short by the kill
     * that follows). Elsewhere (Windows), or when {@code kill} cannot run, nothing is printed.
     *
     * @param millis how long to wait for the dump, at most
     * @return whether the dump was seen whole in time
     */
    public boolean threadDump(long millis) {
        return threadDumpText(millis) != null;
    }

    /**
     * The same, and the dump's text: the lines from {@code Full thread dump} to
     * {@value #DUMP_LAST_LINE}, as the JVM printed them (they are forwarded to standard error as
     * well, like everything the worker prints). One dump at a time per worker: a second caller
     * waits for the first.
     *
     * @param millis how long to wait for the dump, at most
     * @return the dump, or {@code null} if it was not seen whole in time (the worker ended, or the
     *     platform cannot signal it)
     */
    public String threadDumpText(long millis) {
        synchronized (dumpLock) {
            long p = pid;
            if (p <= 0L || File.separatorChar != '/' || process == null || !process.isAlive()) {
                return null;
            }
            CountDownLatch d = new CountDownLatch(1);
            StringBuilder text = new StringBuilder();
            dumpText = text;
            dumpEnd = d;
            try {
                Process kill = new ProcessBuilder("kill", "-QUIT", Long.toString(p))
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!kill.waitFor(millis, TimeUnit.MILLISECONDS) || kill.exitValue() != 0
                        || !d.await(millis, TimeUnit.MILLISECONDS)) {
                    return null;
                }
                synchronized (text) {
                    return text.toString();
                }
            } catch (IOException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } finally {
                dumpEnd = null;
                dumpText = null;
            }
        }
    }

    /**
     * Asks the process to end: SIGKILL-like when {@code kill}, else SIGTERM-like.
     *
     * @param kill whether to kill
     */
    public void destroy(boolean kill) {
        Process p = process;
        if (p != null) {
            if (kill) {
                p.destroyForcibly();
            } else {
                p.destroy();
            }
        }
    }

    @Override
    public void run() {
        Process p;
        List<String> command = this.command;
        try {
            if (command == null) {
                command = archive.command();
                this.command = command;
            }
            ProcessBuilder pb = new ProcessBuilder(command);
            if (!environment.isEmpty()) {
                pb.environment().putAll(environment);
            }
            p = pb.start();
        } catch (Throwable e) {
            end(null, "could not start a worker process (" + e + "); command: "
                    + (command == null ? "(not made)" : CommandLines.toLine(command)));
            return;
        }
        String trouble;
        try {
            process = p;
            pid = p.pid();
            if (listener.started(this)) {
                p.destroyForcibly();
            }
            pump = new Thread(this::pumpStderr, name + "-stderr");
            pump.setDaemon(true);
            pump.start();
            synchronized (writeLock) {
                stdin = p.getOutputStream();
                if (initFrame != null) {
                    write(initFrame, false);
                }
            }
            listener.ready(this);
            write(NOTHING, true);
            trouble = readLoop(p);
        } catch (Throwable t) { // set-up failed (no thread for the pump, say): the listener still hears of it
            p.destroyForcibly();
            trouble = "could not set up worker pid " + pid + ": " + ExceptionEnvelope.describe(t);
        }
        end(p, trouble);
    }

    /**
     * Reads frames until the process ends; returns what went wrong, or {@code null} for a plain end.
     * The one guard of the reader: see the class comment.
     */
    private String readLoop(Process p) {
        DataInputStream in = new DataInputStream(p.getInputStream());
        Wire.Incoming f = new Wire.Incoming();
        for (;;) {
            boolean whole = false;
            try {
                if (!ready) {
                    handshake(in);
                    listener.hello(this);
                }
                for (;;) {
                    whole = false;
                    Wire.read(in, maxMessageSize, f);
                    whole = true;
                    listener.frame(this, f);
                }
            } catch (Throwable t) {
                if (t instanceof EOFException && !whole) {
                    return null; // the process ended (or closed its standard output) between frames
                }
                if (!whole && f.unread > 0 && t instanceof OutOfMemoryError) {
                    whole = skip(in, f); // the payload did not fit in this JVM: skip it, the stream stays in sync
                }
                if (whole && listener.frameFailed(this, f, t)) {
                    f.payload = null;
                    continue;
                }
                String trouble = t instanceof StreamCorruptedException e ? corrupted(p, e)
                        : "lost the connection to worker pid " + pid + ": " + ExceptionEnvelope.describe(t);
                p.destroyForcibly();
                return trouble;
            }
        }
    }

    private static boolean skip(DataInputStream in, Wire.Incoming f) {
        try {
            in.skipNBytes(f.unread);
            f.unread = 0;
            f.payload = null;
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Waits for the process to end, then tells the listener how it ended. */
    private void end(Process p, String trouble) {
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
        synchronized (writeLock) {
            stdin = null;
        }
        if (p != null) {
            try {
                p.getOutputStream().close();
            } catch (IOException ignored) {
                // already closed
            }
        }
        String early = p != null && !ready ? earlyErrors() : "";
        if (p != null && code != null && code != 0 && ready) {
            awaitPump(); // its last words may still be on their way
        }
        listener.died(this, trouble, describeExit(pid, code, lastWords), early);
    }

    /**
     * Describes what the worker wrote instead of a frame. A crashing JVM prints its fatal error
     * report on standard output (JDK 17 does, whatever the options), so the pool gives the process
     * a moment to end by itself and shows the start of what it wrote.
     */
    private String corrupted(Process p, StreamCorruptedException e) {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
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
        String text = CommandLines.sanitize(seen.toString(Charset.defaultCharset()).replaceAll("[\\p{Cntrl}&&[^\\n]]", "?"));
        String excerpt = text.lines().limit(12).map(String::strip).filter(l -> !l.isEmpty() && !l.equals("#"))
                .collect(Collectors.joining(" | "));
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
        ByteArrayOutputStream noise = null;
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
                    noise = new ByteArrayOutputStream();
                }
                noise.write(leaving);
                if (skipped > (1 << 20)) {
                    throw new StreamCorruptedException("no handshake in the first MiB of output");
                }
            }
        }
        if (noise != null && noise.size() > 0) {
            System.err.println(linePrefix + pid + "] (stdout before start) "
                    + CommandLines.sanitize(noise.toString(Charset.defaultCharset()).strip()));
        }
        ready = true;
    }

    private void pumpStderr() {
        Process p = process;
        String prefix = linePrefix + pid + "] ";
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), Charset.defaultCharset()))) {
            for (String raw; (raw = r.readLine()) != null; ) {
                // A line written while a call with a trace id ran comes marked with it (CallContext).
                String[] marked = CallContext.unmark(raw);
                String line = marked == null ? raw : marked[1];
                if (!ready) {
                    synchronized (earlyErr) {
                        earlyErr.addLast(line);
                        if (earlyErr.size() > 20) {
                            earlyErr.removeFirst();
                        }
                    }
                    StartupArchive.workerSaid(command, line);
                }
                if (line.startsWith(WorkerMain.SAYS) || line.startsWith(OUT_OF_MEMORY)) {
                    lastWords = line;
                }
                System.err.println(marked == null ? prefix + line : linePrefix + pid + " trace=" + marked[0] + "] " + line);
                CountDownLatch d = dumpEnd;
                StringBuilder text = dumpText;
                if (text != null) {
                    synchronized (text) {
                        if (text.length() > 0 || line.startsWith("Full thread dump")) {
                            text.append(line).append(System.lineSeparator());
                        }
                    }
                }
                if (d != null && line.startsWith(DUMP_LAST_LINE)) {
                    d.countDown();
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
    }

    /** Waits (at most a second) for the pump to reach the end of the ended process's standard error. */
    private void awaitPump() {
        Thread t = pump;
        if (t != null) {
            try {
                t.join(1000L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The last lines the worker wrote on standard error before it said hello, secrets masked. */
    private String earlyErrors() {
        awaitPump();
        synchronized (earlyErr) {
            return CommandLines.sanitize(String.join(System.lineSeparator(), earlyErr));
        }
    }

    /**
     * How a worker ended, for messages: its pid, its exit code and what the code means.
     *
     * @param pid the pid, or -1 if it never started
     * @param code the exit code, or {@code null} if it did not exit
     */
    static String describeExit(long pid, Integer code) {
        return describeExit(pid, code, null);
    }

    /**
     * How a worker ended, for messages, from its exit status and its last words on standard error: a
     * status means what it usually means only when the words agree. A call may end the JVM with any
     * status ({@code System.exit(137)} is no SIGKILL, {@code System.exit(3)} is no lack of memory,
     * {@code System.exit(70)} or {@code halt(70)} is no closed input), and the worker's own ends say
     * what they are before they halt ({@link WorkerMain#ORPHANED}, {@link WorkerMain#FAULT}).
     *
     * @param pid the pid, or -1 if it never started
     * @param code the exit code, or {@code null} if it did not exit
     * @param words the last line of standard error that says how it ends (see {@link #lastWords}), or null
     */
    static String describeExit(long pid, Integer code, String words) {
        StringBuilder s = new StringBuilder("worker pid ").append(pid);
        if (code == null) {
            return s.append(" did not exit").toString();
        }
        s.append(" exited with code ").append(code);
        if (words != null && words.startsWith(WorkerMain.EXIT_CALLED)) {
            // Shutdown hooks ran: an exit, not a kill, whatever the status looks like.
            return s.append(" (").append(CommandLines.sanitize(words.substring(WorkerMain.SAYS.length())))
                    .append(')').toString();
        }
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
        } else if (code == WorkerMain.ORPHANED && WorkerMain.STDIN_CLOSED.equals(words)) {
            s.append(" (it saw its standard input close)");
        } else if (code == WorkerMain.FAULT && words != null && words.startsWith(WorkerMain.FAILED)) {
            s.append(" (the worker failed in its own code: ")
                    .append(CommandLines.sanitize(words.substring(WorkerMain.FAILED.length()))).append(')');
        } else if (code == 3 && words != null && words.startsWith(OUT_OF_MEMORY)) {
            s.append(" (it ran out of memory: ").append(words.substring(OUT_OF_MEMORY.length()).replaceFirst("^: ", ""))
                    .append("; a JVM exits with 3 then under -XX:+ExitOnOutOfMemoryError;"
                    + " give workers more heap with jvmArgs(\"-Xmx...\"))");
        }
        return s.toString();
    }
}

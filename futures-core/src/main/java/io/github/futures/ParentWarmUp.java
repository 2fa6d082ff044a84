package io.github.futures;

import io.github.futures.process.Frames;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * Warms up, on a daemon thread started with the JVM's first process pool, what the first
 * {@code submit} or {@code map} would otherwise pay for: first the JDK's process machinery
 * ({@code ProcessImpl}, {@code ProcessHandleImpl} and the classes their initializers load, about 60
 * not in the JDK's default class-data archive), which the reader thread of the first worker needs
 * before it can spawn the worker JVM, the start of the critical path; then the submit path (a call
 * and a map chunk encoded as a lambda that captured nothing is, and the classes of a first submit, about
 * 20 of ours that a cold JVM reads from the jar and verifies); then, for calls that are
 * serialized (a lambda that captured something, any other object; not a lambda that captured
 * nothing, see {@code LambdaCodec}), the {@code invokedynamic} bootstrap of a serializable lambda
 * and Java serialization (about 300 classes, and the SHA-1 of the default {@code serialVersionUID}
 * of {@code Object[]}, which every serialized lambda carries). The first call then finds most of it
 * loaded, or waits for the class being loaded rather than loading it again. Internal.
 *
 * <p>Implementation note: {@link #started} (guarded by the class lock) makes it once per JVM; any
 * failure is ignored (the caller's thread then does the work, as without this class).
 */
final class ParentWarmUp implements Runnable {

    /** Whether the thread was started in this JVM. Guarded by the class lock. */
    private static boolean started;

    /**
     * Whether {@link #start()} starts the thread. Only a test turns it off, before its first pool,
     * to count what the caller's thread loads when the warm-up gets no CPU in time (a busy machine):
     * the counts then do not depend on which thread wins the race.
     */
    static volatile boolean enabled = true;

    private ParentWarmUp() {
    }

    /** Starts the warm-up thread, once per JVM; returns at once. */
    static void start() {
        synchronized (ParentWarmUp.class) {
            if (started || !enabled) {
                return;
            }
            started = true;
        }
        Thread t = new Thread(new ParentWarmUp(), "futures-warm-up");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void run() {
        try {
            Class.forName("java.lang.ProcessImpl", true, null);
            Class.forName("java.lang.ProcessHandleImpl", true, null);
        } catch (Throwable ignored) {
            // the reader thread does it then
        }
        try {
            // The submit path: a call and a map chunk encoded as the pool encodes them (a lambda that
            // captured nothing, LambdaCodec), and the classes a first submit and its first result load.
            Frames frames = new Frames(ProcessPool.DEFAULT_MAX_MESSAGE_SIZE, null, ParentWarmUp.class.getClassLoader(), null);
            SerializableCallable<Object> call = ParentWarmUp::none;
            frames.task(call, 0L);
            SerializableFunction<Object, Object> same = ParentWarmUp::same;
            frames.map(same, List.of(1L), 0L);
            for (Class<?> c : SUBMIT_PATH) {
                Class.forName(c.getName(), true, c.getClassLoader());
            }
        } catch (Throwable ignored) {
            // the caller's thread does it then
        }
        try {
            SerializableFunction<Object, Object> fn = ParentWarmUp::same;
            try (ObjectOutputStream out = new ObjectOutputStream(OutputStream.nullOutputStream())) {
                out.writeObject(fn); // the serialized-lambda machinery and Object[]'s default serialVersionUID
            }
        } catch (Throwable ignored) {
            // the caller's thread does it then
        }
    }

    /** Classes of ours that a first submit and its result load, besides those the encoding above loads. */
    private static final Class<?>[] SUBMIT_PATH = {SubmitChunk.class, WorkItem.class, PendingLimit.class,
            DeadlockWatch.class, ThreadTask.class, CancelledError.class, TimeoutError.class, Future.Node.class};

    private static Object none() {
        return null;
    }

    private static Object same(Object o) {
        return o;
    }
}

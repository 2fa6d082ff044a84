package io.github.futures;

import io.github.futures.process.Frames;
import java.util.List;

/**
 * Warms up, on daemon threads, what a process pool's first {@code submit} or {@code map} would
 * otherwise pay for on the caller's thread. With the JVM's first process pool: the JDK's process
 * machinery ({@code ProcessImpl}, {@code ProcessHandleImpl} and the classes their initializers load,
 * about 60 not in the JDK's default class-data archive), which the reader thread of the first worker
 * needs before it can spawn the worker JVM, the start of the critical path. When workers are started
 * ahead ({@code prestartWorkers()}): the submit path too (a call and a map chunk encoded as a lambda
 * that captured nothing is, and about 20 classes of ours that a cold JVM reads from the jar and
 * verifies), so that the first call finds it warm.
 *
 * <p>Nothing more at a pool's creation: measured on the seed example as a cold program (JDK 17, 10
 * alternating rounds on a quiet 2-core machine), warming the submit path and Java serialization there
 * (the serializable-lambda bootstrap, about 300 classes and SHA-1) competed with the constructor and the
 * workers' start for the CPU; without the serialization part the program took 545 ms instead of 570.
 * A call that is serialized pays for serialization on the caller's thread at its first submit.
 *
 * <p>Implementation note: {@link #started} (guarded by the class lock) makes each part once per JVM;
 * any failure is ignored (the caller's thread then does the work, as without this class).
 */
final class ParentWarmUp implements Runnable {

    /** The process classes' warm-up (bit of {@link #started}). */
    private static final int PROCESS = 1;

    /** The submit path's warm-up (bit of {@link #started}). */
    private static final int SUBMIT_PATH_PART = 2;

    /** The parts started in this JVM. Guarded by the class lock. */
    private static int started;

    /**
     * Whether the warm-ups start. Only a test turns it off, before its first pool,
     * to count what the caller's thread loads when the warm-up gets no CPU in time (a busy machine):
     * the counts then do not depend on which thread wins the race.
     */
    static volatile boolean enabled = true;

    private ParentWarmUp() {
    }

    /** Starts the warm-up of the process classes, once per JVM; returns at once. */
    static void start() {
        startOnce(PROCESS, new ParentWarmUp(), "futures-warm-up");
    }

    /** Starts {@code part} on a daemon thread unless it was started before or warm-ups are off. */
    private static void startOnce(int part, Runnable warmUp, String threadName) {
        synchronized (ParentWarmUp.class) {
            if ((started & part) != 0 || !enabled) {
                return;
            }
            started |= part;
        }
        Thread t = new Thread(warmUp, threadName);
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
    }

    /**
     * Starts the submit path's warm-up, once per JVM, for workers started ahead of their calls; returns at
     * once.
     */
    static void startSubmitPath() {
        startOnce(SUBMIT_PATH_PART, new SubmitPath(), "futures-warm-up-submit");
    }

    /** The submit path's warm-up (a class, not a lambda: no lambda class to spin first). */
    private static final class SubmitPath implements Runnable {
        @Override
        public void run() {
            warmSubmitPath();
        }
    }

    private static void warmSubmitPath() {
        try {
            // A call and a map chunk encoded as the pool encodes them (a lambda that captured nothing,
            // LambdaCodec), and the classes a first submit and its first result load.
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

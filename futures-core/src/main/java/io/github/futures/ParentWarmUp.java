package io.github.futures;

import java.io.ObjectOutputStream;
import java.io.OutputStream;

/**
 * Warms up, on a daemon thread started with the JVM's first process pool, what the first
 * {@code submit} or {@code map} would otherwise pay for on the caller's thread: the
 * {@code invokedynamic} bootstrap of a serializable lambda, and Java serialization (about 300
 * classes, and the SHA-1 of the default {@code serialVersionUID} of {@code Object[]}, which every
 * serialized lambda carries). The caller's first call then finds most of it loaded, or waits for the
 * class being loaded rather than loading it again. Internal.
 *
 * <p>Implementation note: {@link #started} (guarded by the class lock) makes it once per JVM; any
 * failure is ignored (the caller's thread then does the work, as without this class).
 */
final class ParentWarmUp implements Runnable {

    /** Whether the thread was started in this JVM. Guarded by the class lock. */
    private static boolean started;

    private ParentWarmUp() {
    }

    /** Starts the warm-up thread, once per JVM; returns at once. */
    static void start() {
        synchronized (ParentWarmUp.class) {
            if (started) {
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
            SerializableFunction<Object, Object> fn = ParentWarmUp::same;
            try (ObjectOutputStream out = new ObjectOutputStream(OutputStream.nullOutputStream())) {
                out.writeObject(fn); // the serialized-lambda machinery and Object[]'s default serialVersionUID
            }
        } catch (Throwable ignored) {
            // the caller's thread does it then
        }
    }

    private static Object same(Object o) {
        return o;
    }
}

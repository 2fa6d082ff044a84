package io.github.futures;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Virtual threads (JDK 21+) for a library compiled for Java 17: {@code Thread.ofVirtual().name(n).unstarted(r)}
 * reached through method handles, looked up once. On an older JDK they are absent and
 * {@link #require()} says so.
 */
final class VirtualThreads {

    private VirtualThreads() {
    }

    /** {@code (String name, Runnable task) -> Thread}, or null before JDK 21. */
    private static final MethodHandle UNSTARTED = lookUp();

    private static MethodHandle lookUp() {
        try {
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            Class<?> builder = Class.forName("java.lang.Thread$Builder");
            Class<?> ofVirtual = Class.forName("java.lang.Thread$Builder$OfVirtual");
            MethodHandle newBuilder = lookup.findStatic(Thread.class, "ofVirtual", MethodType.methodType(ofVirtual))
                    .asType(MethodType.methodType(builder));
            MethodHandle name = lookup.findVirtual(builder, "name", MethodType.methodType(builder, String.class));
            MethodHandle unstarted = lookup.findVirtual(builder, "unstarted", MethodType.methodType(Thread.class, Runnable.class));
            // (name, task) -> unstarted(name(ofVirtual(), name), task)
            MethodHandle named = MethodHandles.foldArguments(name, newBuilder); // (String) -> Builder
            return MethodHandles.collectArguments(unstarted, 0, named); // (String, Runnable) -> Thread
        } catch (ReflectiveOperationException | RuntimeException absent) {
            return null; // before JDK 21 (or a JDK 19-20 without preview features enabled)
        }
    }

    /** @return whether this JVM has virtual threads */
    static boolean available() {
        return UNSTARTED != null;
    }

    /** @throws UnsupportedOperationException if this JVM has no virtual threads */
    static void require() {
        if (UNSTARTED == null) {
            throw new UnsupportedOperationException("virtualThreads(true) needs JDK 21 or later; this JVM is "
                    + Runtime.version() + ". Run on JDK 21+ or leave virtualThreads off");
        }
    }

    /** A new, unstarted virtual thread. */
    static Thread unstarted(String name, Runnable task) {
        require();
        try {
            return (Thread) UNSTARTED.invokeExact(name, task);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("could not create a virtual thread", t);
        }
    }
}

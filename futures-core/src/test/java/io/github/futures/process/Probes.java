package io.github.futures.process;

import io.github.futures.SerializableCallable;
import io.github.futures.SerializableRunnable;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** Calls for the process-pool tests; every one is serializable and runs in a worker JVM. */
final class Probes {

    /** Counts initializer runs in this JVM. */
    static int initRuns;

    private Probes() {
    }

    /** Not serializable. */
    static final class Opaque {
        final int value;

        Opaque(int value) {
            this.value = value;
        }
    }

    /** Serializable, but refused by the filters of some tests. */
    record Forbidden(int value) implements Serializable {
    }

    /** An exception that cannot be serialized: it holds an {@link Opaque}. */
    static final class OpaqueFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        @SuppressWarnings("serial")
        final Opaque opaque = new Opaque(1);

        OpaqueFailure(String message) {
            super(message);
        }
    }

    static SerializableCallable<Long> pid() {
        return () -> ProcessHandle.current().pid();
    }

    /** Throws from a method whose name the test looks for in the remote stack trace. */
    static SerializableCallable<Integer> failDeep(String message) {
        return () -> failingOrderLookup(message);
    }

    static int failingOrderLookup(String message) {
        throw new IllegalStateException(message);
    }

    static SerializableCallable<Integer> failWithCause() {
        return () -> {
            throw new IllegalArgumentException("outer", new ArithmeticException("inner"));
        };
    }

    static SerializableCallable<Object> opaqueResult() {
        return () -> new Opaque(7);
    }

    static SerializableCallable<Object> opaqueFailure() {
        return () -> {
            throw new OpaqueFailure("cannot travel");
        };
    }

    static SerializableCallable<Object> forbiddenResult() {
        return () -> new Forbidden(3);
    }

    static SerializableCallable<byte[]> bytes(int n) {
        return () -> new byte[n];
    }

    static SerializableCallable<Integer> halt(int status) {
        return () -> {
            Runtime.getRuntime().halt(status);
            return 0;
        };
    }

    static SerializableCallable<Integer> exit(int status) {
        return () -> {
            System.exit(status);
            return 0;
        };
    }

    /** Fills the heap until the JVM gives up. */
    static SerializableCallable<Integer> exhaustHeap() {
        return () -> {
            List<long[]> hog = new ArrayList<>();
            for (;;) {
                hog.add(new long[1 << 20]);
            }
        };
    }

    /** Crashes the JVM: a write to address 0 (SIGSEGV, then the JVM aborts). */
    static SerializableCallable<Integer> crash() {
        return () -> {
            // By reflection: the compiler warns about every direct use of sun.misc.Unsafe.
            Class<?> type = Class.forName("sun.misc.Unsafe");
            java.lang.reflect.Field f = type.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            type.getMethod("putAddress", long.class, long.class).invoke(f.get(null), 0L, 42L);
            return 0;
        };
    }

    /** Prints to System.out and System.err, including bytes that look like a frame header. */
    static SerializableCallable<String> noisy(String marker) {
        return () -> {
            for (int i = 0; i < 200; i++) {
                System.out.println("noise " + i + " \0\0\0\t\n");
                System.out.write(new byte[] {0, 0, 0, 13, 10, 0, 0, 0, 0, 0, 0, 0, 1});
            }
            System.out.println(marker);
            System.err.println(marker + "-err");
            System.out.flush();
            return "quiet result";
        };
    }

    /** Writes to file descriptor 1 directly, past System.out: the one thing that corrupts the channel. */
    static SerializableCallable<Integer> rawStdout() {
        return () -> {
            java.io.FileOutputStream fd1 = new java.io.FileOutputStream(java.io.FileDescriptor.out);
            fd1.write("this is not a frame\n".repeat(4).getBytes());
            fd1.flush();
            return 1;
        };
    }

    static SerializableRunnable countingInitializer() {
        return () -> {
            initRuns++;
            System.setProperty("probe.init.pid", Long.toString(ProcessHandle.current().pid()));
        };
    }

    /** "initRuns pid-seen-by-initializer pid" in the worker. */
    static SerializableCallable<String> initState() {
        return () -> initRuns + " " + System.getProperty("probe.init.pid") + " " + ProcessHandle.current().pid();
    }

    /** Blocks until the JVM ends. */
    static SerializableCallable<Integer> blockForever() {
        return () -> {
            Object o = new Object();
            synchronized (o) {
                for (;;) {
                    o.wait();
                }
            }
        };
    }

    /** The open file descriptors of this process that are sockets. */
    static SerializableCallable<List<String>> socketDescriptors() {
        return () -> {
            List<String> sockets = new ArrayList<>();
            java.io.File[] fds = new java.io.File("/proc/self/fd").listFiles();
            if (fds != null) {
                for (java.io.File fd : fds) {
                    try {
                        String target = java.nio.file.Files.readSymbolicLink(fd.toPath()).toString();
                        if (target.startsWith("socket:")) {
                            sockets.add(fd.getName() + " -> " + target);
                        }
                    } catch (java.io.IOException gone) {
                        // the descriptor of the directory listing itself
                    }
                }
            }
            return sockets;
        };
    }
}

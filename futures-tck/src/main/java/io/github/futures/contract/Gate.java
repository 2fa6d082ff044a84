package io.github.futures.contract;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A one-shot gate that a test opens and that tasks wait on, wherever they run: in a thread of the
 * test's JVM, in a worker JVM of a process pool, or in a cluster member. It is serializable and
 * carries only an id, the creator's process id and a file name, so a task may capture it.
 *
 * <pre>{@code
 * Gate gate = Gate.create();
 * Future<Integer> f = executor.submit((SerializableCallable<Integer>) () -> { gate.await(); return 1; });
 * assertThat(f.done()).isFalse();
 * gate.open();
 * }</pre>
 *
 * <p>Implementation note: in the JVM that created it, a gate is a {@link CountDownLatch} kept in a
 * static registry under the gate's id (the deserialized copy finds it by id). Elsewhere it is an OS
 * file lock: the creator holds an exclusive lock on a temporary file until {@link #open()}; a remote
 * {@link #await()} blocks in {@link FileChannel#lock} for a shared lock (a wait in the kernel, no
 * polling) and releases it at once. {@code open()} releases the lock and deletes the file; a remote
 * waiter that arrives later finds no file and passes.
 */
public final class Gate implements Serializable {

    private static final long serialVersionUID = 1L;

    /** A local await gives up after this long, so that a forgotten gate cannot hang a worker for ever. */
    private static final long LOCAL_LIMIT_MINUTES = 5;

    private static final Map<String, Local> LOCAL = new ConcurrentHashMap<>();

    /** The gate's name, unique in this JVM and across the JVMs it travels to. */
    private final String id;
    /** The process that created the gate and opens it. */
    private final long creatorPid;
    /** The file whose lock other JVMs wait on. */
    private final String file;

    private Gate(String id, long creatorPid, String file) {
        this.id = id;
        this.creatorPid = creatorPid;
        this.file = file;
    }

    /** The creator's side: the latch and the held file lock. */
    private static final class Local {
        final CountDownLatch latch = new CountDownLatch(1);
        final FileChannel channel;
        final FileLock lock;

        Local(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }
    }

    /**
     * Creates a closed gate.
     *
     * @return the gate
     */
    public static Gate create() {
        try {
            Path path = Files.createTempFile("futures-gate-", ".lock");
            FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock = channel.lock();
            Gate gate = new Gate(UUID.randomUUID().toString(), ProcessHandle.current().pid(), path.toString());
            LOCAL.put(gate.id, new Local(channel, lock));
            return gate;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a gate file", e);
        }
    }

    /**
     * Blocks until the gate is open. Returns at once if it is open already.
     *
     * @throws IllegalStateException if interrupted, or (in the creating JVM) not opened within minutes
     */
    public void await() {
        if (ProcessHandle.current().pid() == creatorPid) {
            Local local = LOCAL.get(id);
            if (local == null) {
                return; // opened and forgotten
            }
            try {
                if (!local.latch.await(LOCAL_LIMIT_MINUTES, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("gate " + id + " was not opened within "
                            + LOCAL_LIMIT_MINUTES + " minutes");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting at a gate", e);
            }
            return;
        }
        try (FileChannel channel = FileChannel.open(Path.of(file), StandardOpenOption.READ)) {
            channel.lock(0L, Long.MAX_VALUE, true).release();
        } catch (NoSuchFileException opened) {
            // open() deleted the file: the gate is open
        } catch (IOException e) {
            throw new UncheckedIOException("cannot wait at gate file " + file, e);
        }
    }

    /**
     * Opens the gate: every waiter, present or future, passes. Only the creating JVM may open it;
     * opening it again is harmless.
     *
     * @throws IllegalStateException if called outside the creating JVM
     */
    public void open() {
        if (ProcessHandle.current().pid() != creatorPid) {
            throw new IllegalStateException("only the JVM that created a gate can open it");
        }
        Local local = LOCAL.remove(id);
        if (local == null) {
            return;
        }
        local.latch.countDown();
        try {
            local.lock.release();
            local.channel.close();
            Files.deleteIfExists(Path.of(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release gate file " + file, e);
        }
    }

    /**
     * Whether {@link #open()} was called (meaningful in the creating JVM).
     *
     * @return {@code true} once open
     */
    public boolean isOpen() {
        return !LOCAL.containsKey(id);
    }

    @Override
    public String toString() {
        return "Gate[" + id + (isOpen() ? ", open]" : ", closed]");
    }
}

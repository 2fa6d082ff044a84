package io.github.futures.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.BrokenProcessPool;
import io.github.futures.Future;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * No frame may strand a future: whatever goes wrong while this JVM reads or decodes a worker's result
 * or exception, that call's future ends with a clear exception (the cause attached) and the pool goes
 * on, or the pool breaks with a reason. Real worker JVMs; after each case the next call works and
 * {@code shutdown(wait=true)} returns.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProcessUnreadableFramesTest {

    private static final Duration LONG = Duration.ofSeconds(60);
    private static final String WORKER_ONLY = "FUTURES_TEST_WORKER_ONLY_SETTING";

    /** A result class whose static initializer needs an environment variable that only workers have. */
    static final class NeedsWorkerEnvironment implements Serializable {
        private static final long serialVersionUID = 1L;
        static final String SETTING = setting();
        final String value = SETTING;

        private static String setting() {
            String v = System.getenv(WORKER_ONLY);
            if (v == null) {
                throw new IllegalStateException(WORKER_ONLY + " is not set in this JVM");
            }
            return v;
        }
    }

    /** A result whose readObject (run only in the parent: the worker only writes it) throws an Error. */
    static final class ThrowsWhenRead implements Serializable {
        private static final long serialVersionUID = 1L;
        final String error;

        ThrowsWhenRead(String error) {
            this.error = error;
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            switch (error) {
                case "AssertionError" -> throw new AssertionError("readObject refused");
                case "NoClassDefFoundError" -> throw new NoClassDefFoundError("com/acme/Missing");
                case "OutOfMemoryError" -> throw new OutOfMemoryError("simulated: Java heap space");
                default -> throw new IllegalArgumentException(error);
            }
        }
    }

    /** An exception class that says when it was deserialized in this JVM. */
    static final class MarkedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static volatile boolean readHere;

        MarkedFailure(String message) {
            super(message);
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            readHere = true;
        }
    }

    private static SerializableCallable<Integer> echo(int n) {
        return () -> n;
    }

    /** The future failed with a clear exception carrying {@code cause}; the next call works; shutdown(true) returns. */
    private static void assertFailedAndPoolGoesOn(ProcessPoolExecutor pool, Future<?> f, Class<? extends Throwable> cause)
            throws Exception {
        Throwable e = f.exception(LONG);
        assertThat(e).isInstanceOf(InvalidObjectException.class).hasMessageContaining("could not be read in this JVM")
                .hasCauseInstanceOf(cause);
        assertThat(pool.submit(echo(7)).result(LONG)).isEqualTo(7);
        assertThat(pool.isBroken()).isFalse();
        shutdownReturns(pool);
    }

    private static void shutdownReturns(ProcessPoolExecutor pool) throws Exception {
        CompletableFuture<Void> down = CompletableFuture.runAsync(() -> pool.shutdown(true, false));
        down.get(60, TimeUnit.SECONDS);
    }

    /** A result class whose static initializer fails in the parent only fails its future with the ExceptionInInitializerError. */
    @Test
    void resultClassWhoseInitializerFailsInTheParentFailsOnlyItsFuture() throws Exception {
        ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1)
                .environment(Map.of(WORKER_ONLY, "present")).build();
        Future<Object> f = pool.submit(() -> new NeedsWorkerEnvironment());
        assertFailedAndPoolGoesOn(pool, f, ExceptionInInitializerError.class);
    }

    /** An AssertionError thrown by a result's readObject fails only that future. */
    @Test
    void assertionErrorFromReadObjectFailsOnlyItsFuture() throws Exception {
        ProcessPoolExecutor pool = new ProcessPoolExecutor(1);
        assertFailedAndPoolGoesOn(pool, pool.submit(() -> new ThrowsWhenRead("AssertionError")), AssertionError.class);
    }

    /** A NoClassDefFoundError thrown by a result's readObject fails only that future. */
    @Test
    void noClassDefFoundErrorFromReadObjectFailsOnlyItsFuture() throws Exception {
        ProcessPoolExecutor pool = new ProcessPoolExecutor(1);
        assertFailedAndPoolGoesOn(pool, pool.submit(() -> new ThrowsWhenRead("NoClassDefFoundError")),
                NoClassDefFoundError.class);
    }

    /**
     * An OutOfMemoryError while a result is decoded fails only that future. The error is simulated: the
     * result's readObject throws it (a real one needs a result larger than this JVM's free heap).
     */
    @Test
    void outOfMemoryErrorWhileDecodingFailsOnlyItsFuture() throws Exception {
        ProcessPoolExecutor pool = new ProcessPoolExecutor(1);
        assertFailedAndPoolGoesOn(pool, pool.submit(() -> new ThrowsWhenRead("OutOfMemoryError")),
                OutOfMemoryError.class);
    }

    /** The bytes of a RESULT frame for call {@code id} whose value is a long[] of {@code length} elements, with none sent. */
    static byte[] hugeArrayFrame(long id, int length) {
        try {
            ByteArrayOutputStream ser = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(ser)) {
                out.writeObject(new long[0]);
            }
            byte[] s = ser.toByteArray();
            s[s.length - 4] = (byte) (length >>> 24); // the array's length is the stream's last int
            s[s.length - 3] = (byte) (length >>> 16);
            s[s.length - 2] = (byte) (length >>> 8);
            s[s.length - 1] = (byte) length;
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            DataOutputStream d = new DataOutputStream(frame);
            d.writeInt(1 + 8 + 1 + s.length); // type, id, value tag, serialization stream
            d.writeByte(10); // RESULT
            d.writeLong(id);
            d.writeByte(0); // the value tag of a serialization stream
            d.write(s);
            return frame.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes bytes straight to the worker's protocol stream, as a misbehaving call would. */
    static void writeToProtocolStream(byte[] bytes) {
        try {
            FileOutputStream raw = new FileOutputStream(FileDescriptor.out);
            raw.write(bytes);
            raw.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A 41-byte RESULT frame that declares a long[0x7ffffff0] is refused by the filter's array bound:
     * the call fails naming the array, nothing of 16 GiB is allocated, and the pool goes on.
     */
    @Test
    void tinyFrameDeclaringAHugeArrayIsRefusedByTheFilter() throws Exception {
        ProcessPoolExecutor pool = new ProcessPoolExecutor(1);
        byte[] frame = hugeArrayFrame(1L, 0x7ffffff0); // the pool's first call has id 1
        assertThat(frame.length).isLessThanOrEqualTo(48);
        Future<Integer> f = pool.submit(() -> {
            writeToProtocolStream(frame);
            return 1;
        });
        Throwable e = f.exception(LONG);
        assertThat(e).isInstanceOf(InvalidObjectException.class).hasCauseInstanceOf(InvalidClassException.class);
        assertThat(e.getCause()).hasMessageContaining("an array of 2147483632 elements");
        assertThat(pool.submit(echo(7)).result(LONG)).isEqualTo(7);
        shutdownReturns(pool);
    }

    private static SerializableCallable<Integer> throwDeepChain(int depth) {
        return () -> {
            RuntimeException e = new RuntimeException("bottom");
            for (int i = 0; i < depth; i++) {
                e = new RuntimeException("level " + i, e);
            }
            throw e;
        };
    }

    /**
     * A 20 000-deep exception chain, read under a filter without a depth limit, overflows the reader's
     * stack in this JVM: the future fails with the StackOverflowError as cause, and the pool goes on.
     * (The worker gets a large stack, so that it can print and serialize the chain.)
     */
    @Test
    void stackOverflowOnADeepExceptionChainFailsOnlyItsFuture() throws Exception {
        ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1).jvmArgs("-Xss256m")
                .serialFilter("maxrefs=50000000").build();
        assertFailedAndPoolGoesOn(pool, pool.submit(throwDeepChain(20_000)), StackOverflowError.class);
    }

    /** With the default filter, a 20 000-deep exception chain is refused by the depth limit, with a message saying so. */
    @Test
    void deepExceptionChainIsRefusedByTheDefaultDepthLimit() throws Exception {
        ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1).jvmArgs("-Xss256m").build();
        Throwable e = pool.submit(throwDeepChain(20_000)).exception(LONG);
        assertThat(e).isNotNull().hasMessageContaining("level 19999")
                .hasMessageContaining("refused by the deserialization filter");
        assertThat(pool.submit(echo(7)).result(LONG)).isEqualTo(7);
        shutdownReturns(pool);
    }

    /**
     * An exception whose class the pool's serialFilter refuses is not deserialized in this JVM (its
     * readObject never runs here); the future fails with a message naming the refused class. The
     * same exception without that filter is deserialized (so the marker works).
     */
    @Test
    void exceptionOfARefusedClassIsNotDeserializedInTheParent() throws Exception {
        String refused = MarkedFailure.class.getName();
        SerializableCallable<Integer> failing = () -> {
            throw new MarkedFailure("boom");
        };
        MarkedFailure.readHere = false;
        ProcessPoolExecutor filtered = ProcessPoolExecutor.builder().maxWorkers(1).serialFilter("!" + refused).build();
        Throwable e = filtered.submit(failing).exception(LONG);
        assertThat(MarkedFailure.readHere).isFalse();
        assertThat(e).isNotInstanceOf(MarkedFailure.class).hasMessageContaining(refused)
                .hasMessageContaining("refused by the deserialization filter");
        assertThat(filtered.submit(echo(7)).result(LONG)).isEqualTo(7);
        shutdownReturns(filtered);

        ProcessPoolExecutor open = new ProcessPoolExecutor(1);
        assertThat(open.submit(failing).exception(LONG)).isInstanceOf(MarkedFailure.class);
        assertThat(MarkedFailure.readHere).isTrue();
        shutdownReturns(open);
    }

    /** A call that reads System.in in a worker gets end of stream at once, and the next call works. */
    @Test
    void systemInOfAWorkerIsEmpty() throws Exception {
        ProcessPoolExecutor pool = new ProcessPoolExecutor(1);
        Future<Integer> read = pool.submit(() -> System.in.read());
        Future<Integer> next = pool.submit(echo(7));
        assertThat(read.result(LONG)).isEqualTo(-1);
        assertThat(next.result(LONG)).isEqualTo(7);
        assertThat(pool.submit(() -> System.in.readAllBytes().length).result(LONG)).isZero();
        shutdownReturns(pool);
    }

    /** What a call prints on System.out does not reach the protocol stream: its result and the next call arrive intact. */
    @Test
    void systemOutOfACallDoesNotCorruptTheProtocol() throws Exception {
        ProcessPoolExecutor pool = new ProcessPoolExecutor(1);
        Future<Integer> loud = pool.submit(() -> {
            byte[] junk = new byte[64 * 1024];
            java.util.Arrays.fill(junk, (byte) 0x7f);
            System.out.write(junk);
            System.out.println("not a frame");
            System.out.flush();
            return 1;
        });
        assertThat(loud.result(LONG)).isEqualTo(1);
        assertThat(pool.submit(echo(7)).result(LONG)).isEqualTo(7);
        shutdownReturns(pool);
    }

    /**
     * A worker command that fails shows its command line in the future's exception and the pool's
     * brokenReason with the values of secret-looking options masked: names stay, values go.
     */
    @Test
    void failedWorkerCommandLineHidesSecretValues() throws Exception {
        ProcessPoolExecutor pool = ProcessPoolExecutor.builder().maxWorkers(1).javaExecutable("/no/such/java")
                .jvmArgs("-Dapp.db.password=hunter2", "-Dpwd=hunter3", "-Ddb.passwd=hunter4",
                        "-Dapp.url=jdbc:h2:mem:x;password=hunter5", "-javaagent:/no/agent.jar=apikey=hunter6",
                        "-Dspring.application.json={\"password\": \"hunter7\"}")
                .build();
        Throwable e;
        try {
            e = pool.submit(echo(1)).exception(LONG);
        } catch (BrokenProcessPool brokenAlready) { // the failed start may win the race with the submit
            e = brokenAlready;
        }
        assertThat(e).isInstanceOf(BrokenProcessPool.class).hasMessageContaining("-Dapp.db.password=******").hasMessageContaining("-Dpwd=******")
                .hasMessageContaining("-javaagent:/no/agent.jar=******")
                .hasMessageContaining("-Dspring.application.json=******");
        assertThat(e.getMessage()).doesNotContain("hunter");
        assertThat(pool.snapshot().brokenReason()).contains("-Dapp.db.password=******").doesNotContain("hunter");
        shutdownReturns(pool);
    }
}

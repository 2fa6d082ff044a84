package io.github.futures.reliability;

import static io.github.futures.process.FrameBytes.concat;
import static io.github.futures.process.FrameBytes.ints;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.futures.Future;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import io.github.futures.TimeoutError;
import io.github.futures.spi.CallInterceptor;
import io.github.futures.spi.CallScope;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes the protocol stream from the worker's side: a test-only call writes random, crafted,
 * truncated and oversized frames straight to its worker's {@code FileDescriptor.out}, where the pool
 * reads results. Every case must end with every future done, and {@code shutdown(wait=true)}
 * returning; no exception may escape a pool thread.
 *
 * <p>Two kinds of cases. In-sync cases write whole frames (each as long as its length says): garbage
 * or crafted RESULT and EXCEPTION payloads for the running call, frames for calls that do not exist,
 * unasked REVOKED frames. The call's future must end (with whatever the frame decoded to, or a clear
 * exception), the pool must not break, and the next case runs on the same worker. Breaking cases
 * (truncated frames, oversized lengths, random bytes, unknown frame types, a forged INIT_FAILED)
 * leave a stream that cannot be trusted: the pool may break, the future must end, shutdown(true)
 * must return, and the next case gets a new pool.
 *
 * <p>Seeded: {@code -Dfuzz.seed=N} replays a run (the seed is printed, and named in every failure);
 * {@code -Dfuzz.cases=N} in-sync cases (default 3000) and {@code -Dfuzz.breaking=N} breaking cases
 * (default 24, each starts a worker JVM), within a 60-second budget.
 *
 * <p>Every call carries a call context to its worker (a CTX_TASK frame), and every call scope must
 * be ended exactly once; {@code CallContextFuzzTest} fuzzes the context block itself, parent to worker.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ProcessFrameFuzzTest {

    private static final byte RESULT = 10;
    private static final byte EXCEPTION = 11;
    private static final byte INIT_FAILED = 12;
    private static final byte REVOKED = 13;
    private static final int MAX_MESSAGE = 64 * 1024;
    private static final Duration CASE_LIMIT = Duration.ofSeconds(30);

    /** A call that writes {@code bytes} to its worker's protocol stream, then returns {@code 1}. */
    private static SerializableCallable<Integer> writes(byte[] bytes) {
        return () -> {
            ProcessUnreadableFramesTest.writeToProtocolStream(bytes);
            return 1;
        };
    }

    static byte[] frame(byte type, long id, byte[] payload) {
        return frame(type, id, payload, 9 + payload.length);
    }

    /** A frame whose length field says {@code length}, whatever the payload. */
    static byte[] frame(byte type, long id, byte[] payload, int length) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            DataOutputStream d = new DataOutputStream(b);
            d.writeInt(length);
            d.writeByte(type);
            d.writeLong(id);
            d.write(payload);
            return b.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] random(Random r, int max) {
        byte[] b = new byte[r.nextInt(max + 1)];
        r.nextBytes(b);
        return b;
    }

    private static byte[] serialized(Object o) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(b)) {
                out.writeObject(o);
            }
            return b.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A RESULT or EXCEPTION payload, crafted to hit one decoding path, or plain noise. */
    private static byte[] craftedPayload(Random r, byte type) {
        if (type == EXCEPTION) {
            switch (r.nextInt(5)) {
                case 0: // an envelope with a length past the end
                    return ints(5, 0x7fffffff);
                case 1: // an envelope whose strings are absent
                    return ints(-1, -1, -1, -1, -1);
                case 2: { // a well-formed envelope whose exception bytes are noise
                    byte[] name = "java.lang.IllegalStateException".getBytes(StandardCharsets.UTF_8);
                    byte[] trace = "trace".getBytes(StandardCharsets.UTF_8);
                    byte[] junk = random(r, 40);
                    return concat(ints(name.length), name, ints(-1), ints(trace.length), trace, ints(junk.length), junk,
                            ints(-1));
                }
                case 3: // a negative length
                    return ints(-7);
                default:
                    return random(r, 64);
            }
        }
        switch (r.nextInt(9)) {
            case 0: // a long[] of 0x7ffffff0 elements declared in a few bytes
                byte[] f = ProcessUnreadableFramesTest.hugeArrayFrame(0L, 0x7ffffff0 - r.nextInt(1000));
                byte[] p = new byte[f.length - 13];
                System.arraycopy(f, 13, p, 0, p.length);
                return p;
            case 1: { // a serialization stream cut short
                byte[] s = serialized(new ArrayList<>(List.of("a", "b", Map.of("k", 1))));
                byte[] cut = new byte[1 + r.nextInt(s.length)];
                System.arraycopy(s, 0, cut, 1, cut.length - 1);
                return cut; // tag 0 (a serialization stream), then the first bytes
            }
            case 2: // a list that says it holds many items and holds none
                return concat(new byte[] {8}, ints(100_000));
            case 3: // a list with a negative count
                return concat(new byte[] {8}, ints(-1));
            case 4: // a string whose length runs past the end
                return new byte[] {6, (byte) 0xff, (byte) 0xff, 'a'};
            case 5: // an unknown value tag
                return new byte[] {(byte) (9 + r.nextInt(100))};
            case 6: // an int value, well formed: the future gets it
                return concat(new byte[] {2}, ints(r.nextInt()));
            case 7: // trailing bytes after a value
                return new byte[] {1, 1, 1};
            default:
                return random(r, 64);
        }
    }

    /** One in-sync case: whole frames only, the last of them possibly the running call's outcome. */
    private static byte[] inSyncCase(Random r, long id, int[] frameCount) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int frames = 1 + r.nextInt(4);
        frameCount[0] += frames;
        for (int i = 0; i < frames; i++) {
            switch (r.nextInt(6)) {
                case 0: // the outcome of a call that does not exist
                    b.writeBytes(frame(r.nextBoolean() ? RESULT : EXCEPTION, id + 1 + r.nextInt(1000),
                            random(r, 32)));
                    break;
                case 1: // a REVOKED nobody asked for, for this call or another
                    b.writeBytes(frame(REVOKED, r.nextBoolean() ? id : r.nextLong(), new byte[0]));
                    break;
                default: {
                    byte type = r.nextBoolean() ? RESULT : EXCEPTION;
                    b.writeBytes(frame(type, id, craftedPayload(r, type)));
                }
            }
        }
        return b.toByteArray();
    }

    /** One breaking case: what leaves the stream out of sync, or a frame the pool cannot take. */
    private static byte[] breakingCase(Random r, long id) {
        switch (r.nextInt(6)) {
            case 0: { // truncated: the length says more than follows
                byte[] payload = random(r, 64);
                return frame(RESULT, id, payload, 9 + payload.length + 1 + r.nextInt(MAX_MESSAGE / 2));
            }
            case 1: // oversized: more than maxMessageSize
                return frame(RESULT, id, new byte[0], MAX_MESSAGE + 10 + r.nextInt(Integer.MAX_VALUE - MAX_MESSAGE - 10));
            case 2: // a length too small for a header
                return frame(RESULT, id, new byte[0], r.nextInt(9) - 4);
            case 3: // an unknown frame type
                return frame((byte) (20 + r.nextInt(100)), id, random(r, 16));
            case 4: // a forged INIT_FAILED
                return frame(INIT_FAILED, 0L, craftedPayload(r, EXCEPTION));
            default: { // random bytes
                byte[] noise = new byte[1 + r.nextInt(200)];
                r.nextBytes(noise);
                return noise;
            }
        }
    }

    /**
     * Every call carries a context (MDC entry, traceparent) to the worker, so the fuzzed outcomes run
     * through the CTX_TASK path; each call's scope must be ended exactly once whatever its frame did.
     */
    static final class ScopeLedger implements CallInterceptor {
        int intercepted;
        int ended;
        int endedTwice;

        @Override
        public synchronized CallScope intercept(CallInfo call) {
            intercepted++;
            AtomicBoolean done = new AtomicBoolean();
            return new CallScope() {
                @Override
                public Map<String, String> remoteContext() {
                    return Map.of("requestId", "fuzz", CallScope.TRACEPARENT,
                            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
                }

                @Override
                public void ended(Throwable failure, boolean cancelled) {
                    synchronized (ScopeLedger.this) {
                        if (!done.compareAndSet(false, true)) {
                            endedTwice++;
                        }
                        ended++;
                        ScopeLedger.this.notifyAll();
                    }
                }
            };
        }

        /** Waits until every scope given so far was ended (bounded by the test's timeout). */
        synchronized void awaitAllEnded() throws InterruptedException {
            while (ended < intercepted) {
                wait();
            }
        }
    }

    private static final ScopeLedger LEDGER = new ScopeLedger();

    private static ProcessPoolExecutor newPool() {
        return ProcessPoolExecutor.builder().maxWorkers(1).maxMessageSize(MAX_MESSAGE).callInterceptor(LEDGER).build();
    }

    private static void shutdownReturns(ProcessPoolExecutor pool, String what) throws Exception {
        try {
            CompletableFuture.runAsync(() -> pool.shutdown(true, false)).get(CASE_LIMIT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(what + ": shutdown(true) did not return within " + CASE_LIMIT, e);
        }
    }

    /** Thousands of seeded fuzz cases: every future ends, shutdown(true) returns, no pool thread throws. */
    @Test
    void fuzzedFramesNeverStrandAFutureNorKillAPoolThread() throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        int inSyncCases = Integer.getInteger("fuzz.cases", 3000);
        int breakingCases = Integer.getInteger("fuzz.breaking", 24);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        System.out.println("ProcessFrameFuzzTest seed: " + seed + " (replay with -Dfuzz.seed=" + seed + ")");
        ConcurrentLinkedQueue<String> escaped = new ConcurrentLinkedQueue<>();
        Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> escaped.add(t.getName() + ": " + e));
        Random r = new Random(seed);
        int inSyncDone = 0;
        int breakingDone = 0;
        int[] frames = {0};
        int poolsBroken = 0;
        int values = 0;
        int failures = 0;
        long t0 = System.nanoTime();
        ProcessPoolExecutor pool = newPool();
        long nextId = 1; // ids count from 1 in each pool, one per submit
        try {
            while ((inSyncDone < inSyncCases || breakingDone < breakingCases) && System.nanoTime() < deadline) {
                boolean breaking = breakingDone < breakingCases
                        && (inSyncDone >= inSyncCases || r.nextInt(inSyncCases / Math.max(1, breakingCases) + 1) == 0);
                String what = "seed " + seed + ", case " + (inSyncDone + breakingDone)
                        + (breaking ? " (breaking)" : " (in sync)");
                long id = nextId++;
                byte[] bytes;
                if (breaking) {
                    bytes = breakingCase(r, id);
                    frames[0]++;
                } else {
                    bytes = inSyncCase(r, id, frames);
                }
                Future<Integer> f = pool.submit(writes(bytes));
                if (breaking) {
                    shutdownReturns(pool, what);
                    assertThat(f.done()).as(what + ": the future is done when shutdown returned").isTrue();
                    poolsBroken += pool.isBroken() ? 1 : 0;
                    pool = newPool();
                    nextId = 1;
                    breakingDone++;
                } else {
                    try {
                        if (f.exception(CASE_LIMIT) == null) {
                            values++;
                        } else {
                            failures++;
                        }
                    } catch (TimeoutError e) {
                        throw new AssertionError(what + ": the future did not end within " + CASE_LIMIT, e);
                    }
                    assertThat(pool.isBroken()).as(what + ": a whole frame does not break the pool: "
                            + pool.snapshot().brokenReason()).isFalse();
                    inSyncDone++;
                }
                assertThat(escaped).as(what + ": no exception escapes a pool thread").isEmpty();
            }
            assertThat(pool.submit(() -> 7).result(CASE_LIMIT)).as("seed " + seed + ": the last pool works").isEqualTo(7);
            shutdownReturns(pool, "seed " + seed + ", last pool");
        } finally {
            pool.shutdown(false, true);
            Thread.setDefaultUncaughtExceptionHandler(previous);
        }
        assertThat(escaped).as("seed " + seed + ": no exception escapes a pool thread").isEmpty();
        LEDGER.awaitAllEnded();
        synchronized (LEDGER) {
            assertThat(LEDGER.endedTwice).as("seed " + seed + ": no call scope ended twice").isZero();
            assertThat(LEDGER.ended).as("seed " + seed + ": every call scope ended").isEqualTo(LEDGER.intercepted);
        }
        System.out.printf("ProcessFrameFuzzTest: seed %d, %d in-sync cases (%d futures got a value, %d failed),"
                        + " %d breaking cases (%d broke their pool), %d frames written, in %d ms%n", seed, inSyncDone,
                values, failures, breakingDone, poolsBroken, frames[0], TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        assertThat(inSyncDone + breakingDone).as("seed " + seed + ": cases run within the budget")
                .isGreaterThanOrEqualTo(1000);
    }
}

package io.github.futures.process;

import static io.github.futures.process.FrameBytes.concat;
import static io.github.futures.process.FrameBytes.ints;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.futures.SerializableCallable;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StreamCorruptedException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The call context block, parent to worker: crafted and random blocks (lying lengths, too many
 * entries, truncated or malformed strings, trailing bytes) are sent in CTX_TASK frames to a real
 * worker JVM speaking the protocol. Each frame must be answered for its own id (a RESULT when the
 * block is valid, else an EXCEPTION naming the bad context), the worker must stay in sync, and a
 * plain call afterwards must still run. The decoder alone must return or throw
 * {@link StreamCorruptedException}, nothing else. Seeded: {@code -Dfuzz.seed=N} replays a run.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CallContextFuzzTest {

    private static final int MAX_MESSAGE = 64 * 1024;
    private static final byte EXCEPTION = Wire.EXCEPTION;

    /** A context block: unsigned short n, then the entries as modified UTF-8. */
    private static byte[] block(int n, String... keysAndValues) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        try {
            d.writeShort(n);
            for (String s : keysAndValues) {
                d.writeUTF(s);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.toByteArray();
    }

    /** The length field and the block: crafted to hit one check, or valid, or noise. */
    private static byte[] craftedContext(Random r, boolean[] valid) {
        valid[0] = false;
        switch (r.nextInt(10)) {
            case 0: { // a length past the end of the payload
                byte[] b = block(1, "k", "v");
                return concat(ints(b.length + 1 + r.nextInt(1 << 20)), b);
            }
            case 1: // a negative length
                return concat(ints(-1 - r.nextInt(Integer.MAX_VALUE)), block(0));
            case 2: { // a length above the bound, with that many bytes present
                byte[] big = new byte[CallContext.MAX_BYTES + 1];
                return concat(ints(big.length), big);
            }
            case 3: { // more entries than the bound
                byte[] b = block(CallContext.MAX_ENTRIES + 1 + r.nextInt(1000));
                return concat(ints(b.length), b);
            }
            case 4: { // says 5 entries, holds 1
                byte[] b = block(5, "k", "v");
                return concat(ints(b.length), b);
            }
            case 5: { // trailing bytes after the entries
                byte[] b = concat(block(1, "k", "v"), new byte[1 + r.nextInt(8)]);
                return concat(ints(b.length), b);
            }
            case 6: { // a string of malformed modified UTF-8
                byte[] b = concat(block(1), new byte[] {0, 2, (byte) 0xC0, (byte) 0x41}, block(0).length == 2
                        ? new byte[] {0, 1, 'v'} : new byte[0]);
                return concat(ints(b.length), b);
            }
            case 7: { // a length too small for the entry count
                return concat(ints(r.nextInt(2)), new byte[] {0, 0});
            }
            case 8: { // valid: the call runs with it
                valid[0] = true;
                byte[] b = block(2, "requestId", "r-" + r.nextInt(100), CallContext.TRACEPARENT,
                        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
                return concat(ints(b.length), b);
            }
            default: { // noise of a length that fits
                byte[] noise = new byte[2 + r.nextInt(64)];
                r.nextBytes(noise);
                return concat(ints(noise.length), noise);
            }
        }
    }

    /** The next answer of a call: the HEAP frames a worker sends between calls (for snapshots) are skipped. */
    private static void readAnswer(DataInputStream in, Wire.Incoming f) throws java.io.IOException {
        do {
            Wire.read(in, MAX_MESSAGE, f);
        } while (f.type == Wire.HEAP);
    }

    /** A CTX_TASK frame: the context bytes, then the payload of {@code taskFrame}. */
    private static byte[] ctxFrame(byte[] context, byte[] taskFrame, long id) {
        byte[] out = new byte[taskFrame.length + context.length];
        System.arraycopy(context, 0, out, Wire.HEADER, context.length);
        System.arraycopy(taskFrame, Wire.HEADER, out, Wire.HEADER + context.length, taskFrame.length - Wire.HEADER);
        Wire.header(out, out.length, CallContext.CTX_TASK, id);
        return out;
    }

    /** Hundreds of crafted context blocks to one real worker: each frame is answered for its id, the worker stays usable. */
    @Test
    void craftedContextBlocksFailTheirCallOnlyAndKeepTheWorkerInSync() throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        System.out.println("CallContextFuzzTest seed: " + seed + " (replay with -Dfuzz.seed=" + seed + ")");
        Random r = new Random(seed);
        SerializableCallable<String> call = () -> "ran " + org.slf4j.MDC.get("requestId");
        byte[] task = Frames.serialize(call, Wire.TASK, 0L, "task", MAX_MESSAGE);
        Process worker = new ProcessBuilder(WorkerCommand.currentJava(), "-cp", System.getProperty("java.class.path"),
                WorkerMain.class.getName(), Integer.toString(MAX_MESSAGE), "-")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            DataInputStream in = new DataInputStream(new BufferedInputStream(worker.getInputStream()));
            OutputStream out = worker.getOutputStream();
            assertThat(in.readLong()).isEqualTo(Wire.MAGIC);
            Wire.Incoming f = new Wire.Incoming();
            boolean[] valid = {false};
            int results = 0;
            int failures = 0;
            for (long id = 1; id <= 400; id++) {
                byte[] context = craftedContext(r, valid);
                out.write(ctxFrame(context, task, id));
                out.flush();
                readAnswer(in, f);
                String what = "seed " + seed + ", case " + id;
                assertThat(f.id).as(what + ": the answer is for this call").isEqualTo(id);
                if (valid[0]) {
                    assertThat(f.type).as(what + ": a valid context runs the call").isEqualTo(Wire.RESULT);
                    assertThat((String) Wire.decodeValue(f.payload, 0, null, getClass().getClassLoader()))
                            .startsWith("ran r-");
                    results++;
                } else {
                    assertThat(f.type).as(what).isIn(EXCEPTION, Wire.RESULT);
                    if (f.type == EXCEPTION) {
                        assertThat(Wire.readEnvelope(f.payload).message).as(what).contains("context");
                        failures++;
                    } else {
                        results++;
                    }
                }
            }
            out.write(concat(task)); // id 0: a plain TASK frame
            out.flush();
            readAnswer(in, f);
            assertThat(f.type).isEqualTo(Wire.RESULT);
            assertThat((String) Wire.decodeValue(f.payload, 0, null, getClass().getClassLoader())).isEqualTo("ran null");
            System.out.printf("CallContextFuzzTest: seed %d, %d calls ran, %d failed on their context%n", seed, results,
                    failures);
            assertThat(failures).isGreaterThan(0);
        } finally {
            worker.destroyForcibly();
            worker.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** The decoder alone: random blocks either decode within the bounds or throw StreamCorruptedException. */
    @Test
    void randomBlocksDecodeOrFailWithStreamCorruptedException() {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        Random r = new Random(seed);
        boolean[] valid = {false};
        for (int i = 0; i < 20_000; i++) {
            byte[] payload = r.nextInt(4) == 0 ? craftedContext(r, valid) : randomPayload(r);
            try {
                Map<String, String> m = CallContext.read(payload);
                assertThat(m.size()).as("seed " + seed).isLessThanOrEqualTo(CallContext.MAX_ENTRIES);
                CallContext.rest(payload);
            } catch (StreamCorruptedException expected) {
                // a clear refusal
            }
        }
    }

    private static byte[] randomPayload(Random r) {
        byte[] b = new byte[r.nextInt(80)];
        r.nextBytes(b);
        if (b.length >= 4 && r.nextBoolean()) { // a plausible length, so the entries are read
            int n = r.nextInt(b.length - 3);
            b[0] = 0;
            b[1] = 0;
            b[2] = (byte) (n >>> 8);
            b[3] = (byte) n;
        }
        return b;
    }

    /** Entries past the bounds are left out by the sender, never sent to fail the call. */
    @Test
    void senderLeavesOutWhatExceedsTheBounds() throws Exception {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("big", "x".repeat(CallContext.MAX_STRING + 1));
        for (int i = 0; i < 100; i++) {
            m.put("k" + i, "v" + i);
        }
        Map<String, String> sent = CallContext.bounded(m);
        assertThat(sent).hasSize(CallContext.MAX_ENTRIES).doesNotContainKey("big").containsEntry("k0", "v0");
        byte[] task = Frames.serialize((SerializableCallable<Integer>) () -> 1, Wire.TASK, 9L, "task", MAX_MESSAGE);
        assertThat(CallContext.attach(task, Map.of(), MAX_MESSAGE)).isSameAs(task);
        byte[] withCtx = CallContext.attach(task, Map.of("a", "b"), MAX_MESSAGE);
        assertThat(withCtx[4]).isEqualTo(CallContext.CTX_TASK);
        byte[] payload = java.util.Arrays.copyOfRange(withCtx, Wire.HEADER, withCtx.length);
        assertThat(CallContext.read(payload)).containsExactly(Map.entry("a", "b"));
        assertThat(CallContext.rest(payload)).isEqualTo(java.util.Arrays.copyOfRange(task, Wire.HEADER, task.length));
        // no room left under maxMessageSize: sent without its context rather than refused by the worker
        assertThat(CallContext.attach(task, Map.of("a", "b"), task.length - Wire.HEADER + 4)).isSameAs(task);
    }

    /** W3C traceparent: valid ones give trace and span ids, malformed ones nothing. */
    @Test
    void traceparentIsParsedOnlyWhenValid() {
        String trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        String span = "00f067aa0ba902b7";
        assertThat(CallContext.parseTraceparent("00-" + trace + "-" + span + "-01")).containsExactly(trace, span);
        assertThat(CallContext.parseTraceparent("01-" + trace + "-" + span + "-01-extra")).containsExactly(trace, span);
        assertThat(CallContext.parseTraceparent("00-" + trace + "-" + span + "-01-extra")).isNull();
        assertThat(CallContext.parseTraceparent("ff-" + trace + "-" + span + "-01")).isNull();
        assertThat(CallContext.parseTraceparent("00-" + "0".repeat(32) + "-" + span + "-01")).isNull();
        assertThat(CallContext.parseTraceparent("00-" + trace + "-" + "0".repeat(16) + "-01")).isNull();
        assertThat(CallContext.parseTraceparent("00-" + trace.toUpperCase() + "-" + span + "-01")).isNull();
        assertThat(CallContext.parseTraceparent("00_" + trace + "-" + span + "-01")).isNull();
        assertThat(CallContext.parseTraceparent("garbage")).isNull();
        assertThat(CallContext.parseTraceparent(null)).isNull();
        assertThatThrownBy(() -> CallContext.read(new byte[] {0, 0})).isInstanceOf(StreamCorruptedException.class);
    }

    /** Output lines: a marked line gives its trace id and text; anything else is a plain line. */
    @Test
    void markedLinesAreSplitAndOthersLeftAlone() throws Exception {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        OutputStream marking = CallContext.markingLines(sink);
        marking.write("before\n".getBytes());
        CallContext.Restore r = CallContext.enter(Map.of(CallContext.TRACEPARENT,
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"), getClass().getClassLoader(), true);
        marking.write("one\ntwo".getBytes());
        marking.write('\n');
        CallContext.exit(r);
        marking.write("after\n".getBytes());
        String[] lines = sink.toString(java.nio.charset.StandardCharsets.ISO_8859_1).split("\n");
        assertThat(lines).hasSize(4);
        assertThat(CallContext.unmark(lines[0])).isNull();
        assertThat(CallContext.unmark(lines[1])).containsExactly("4bf92f3577b34da6a3ce929d0e0e4736", "one");
        assertThat(CallContext.unmark(lines[2])).containsExactly("4bf92f3577b34da6a3ce929d0e0e4736", "two");
        assertThat(CallContext.unmark(lines[3])).isNull();
        assertThat(CallContext.unmark("\u0001trace=nothex\u0002x")).isNull();
    }
}

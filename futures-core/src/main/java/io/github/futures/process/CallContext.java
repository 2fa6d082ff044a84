package io.github.futures.process;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StreamCorruptedException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The context entries that travel with a call to a worker JVM (a call scope's
 * {@code remoteContext()}: MDC entries, the W3C {@code traceparent}), and their restoring around
 * the call there. Internal: used by the process pool and its worker (and by the cluster pool's
 * member side for {@link #enter}/{@link #exit}); not part of the API.
 *
 * <pre>
 *   parent: TASK/MAP frame ──attach(entries)──▶ CTX_TASK/CTX_MAP frame (only when there are entries)
 *           payload = int blockLength | block | the TASK/MAP payload
 *           block   = unsigned short n | n × (modified-UTF-8 key, modified-UTF-8 value)
 *   worker: read(payload) ─▶ entries; rest(payload) ─▶ the TASK/MAP payload, read as before
 *           enter(entries) ─▶ MDC.put each (+ traceId/spanId of a valid traceparent) ─▶ call ─▶ exit
 * </pre>
 *
 * <p>Bounds: at most {@link #MAX_ENTRIES} entries and {@link #MAX_BYTES} bytes of block; a key or
 * value longer than {@link #MAX_STRING} characters, and entries past a bound, are left out by the
 * sender (context is best effort: it never makes a call fail). The worker checks every length
 * against the frame it has read whole, so a block that lies about its size fails that call with a
 * clear exception and leaves the stream and the worker as they were.
 *
 * <p>MDC: when {@code org.slf4j.MDC} is visible to the worker's application class loader, each
 * entry is put as an MDC entry on the thread that runs the call, and put back as it was after
 * the call whatever its outcome, so nothing leaks into the next call. The entry {@code traceparent}
 * also gives {@code traceId} and {@code spanId} when it is valid W3C trace context (a malformed one
 * is ignored). While such a call runs, the lines the worker writes to standard output or error
 * carry its trace id to the parent ({@link #traceId()}, see {@link WorkerProcess}).
 */
public final class CallContext {

    /** A frame type: a TASK whose payload starts with a context block. */
    static final byte CTX_TASK = 6;
    /** A frame type: a MAP whose payload starts with a context block. */
    static final byte CTX_MAP = 7;
    /** The most entries sent with one call. */
    public static final int MAX_ENTRIES = 64;
    /** The most bytes of context block sent with one call. */
    public static final int MAX_BYTES = 16 * 1024;
    /** The longest key or value sent, in characters. */
    public static final int MAX_STRING = 4096;

    /** The W3C trace context entry. */
    static final String TRACEPARENT = "traceparent";

    /**
     * The trace id of the call running in this worker JVM, or null: what the worker's output lines
     * are marked with. One call runs at a time in a worker, so one field says it for every thread.
     */
    private static volatile String currentTrace;

    private CallContext() {
    }

    // ------------------------------------------------------------------ parent side

    /**
     * The frame with {@code entries} attached: a TASK or MAP frame becomes a CTX_TASK or CTX_MAP
     * frame; without entries (or when none fits) the frame is returned as it is.
     *
     * @param frame a whole TASK or MAP frame
     * @param entries the entries, in order
     * @param maxMessageSize the largest payload the worker reads
     * @return the frame to send
     */
    public static byte[] attach(byte[] frame, Map<String, String> entries, int maxMessageSize) {
        if (entries.isEmpty()) {
            return frame;
        }
        int payload = frame.length - Wire.HEADER;
        int budget = (int) Math.min(MAX_BYTES, (long) maxMessageSize - payload - 4);
        byte[] block = encode(entries, budget);
        if (block == null) {
            return frame;
        }
        byte type = frame[4] == Wire.TASK ? CTX_TASK : CTX_MAP;
        byte[] out = new byte[frame.length + 4 + block.length];
        System.arraycopy(frame, 0, out, 0, Wire.HEADER);
        int at = Wire.HEADER;
        out[at++] = (byte) (block.length >>> 24);
        out[at++] = (byte) (block.length >>> 16);
        out[at++] = (byte) (block.length >>> 8);
        out[at++] = (byte) block.length;
        System.arraycopy(block, 0, out, at, block.length);
        System.arraycopy(frame, Wire.HEADER, out, at + block.length, payload);
        long id = 0L;
        for (int i = 0; i < 8; i++) {
            id = (id << 8) | (frame[5 + i] & 0xffL);
        }
        Wire.header(out, out.length, type, id);
        return out;
    }

    /** The block of the entries that fit in {@code budget} bytes, or null when none does. */
    static byte[] encode(Map<String, String> entries, int budget) {
        if (budget < 2) {
            return null;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        ByteArrayOutputStream one = new ByteArrayOutputStream(64);
        DataOutputStream d = new DataOutputStream(one);
        int n = 0;
        bytes.write(0);
        bytes.write(0);
        try {
            for (Map.Entry<String, String> e : entries.entrySet()) {
                String k = e.getKey();
                String v = e.getValue();
                if (n == MAX_ENTRIES) {
                    break;
                }
                if (k == null || v == null || k.length() > MAX_STRING || v.length() > MAX_STRING) {
                    continue;
                }
                one.reset();
                d.writeUTF(k);
                d.writeUTF(v);
                if (bytes.size() + one.size() > budget) {
                    continue;
                }
                one.writeTo(bytes);
                n++;
            }
        } catch (IOException cannotHappen) { // to a byte array; writeUTF fails only past 65535 bytes, excluded above
            throw new UncheckedIOException(cannotHappen);
        }
        if (n == 0) {
            return null;
        }
        byte[] b = bytes.toByteArray();
        b[0] = (byte) (n >>> 8);
        b[1] = (byte) n;
        return b;
    }

    // ------------------------------------------------------------------ worker side

    /**
     * The entries of a CTX_TASK or CTX_MAP payload, every length checked against the payload.
     *
     * @param payload the whole payload
     * @return the entries, in order
     * @throws StreamCorruptedException if the block is malformed or out of bounds
     */
    public static Map<String, String> read(byte[] payload) throws StreamCorruptedException {
        return readBlock(payload, 4, blockLength(payload));
    }

    /**
     * The entries of {@code entries} that the bounds let through (see the class comment), in order:
     * for a transport that writes them itself (the cluster pool).
     *
     * @param entries the entries
     * @return those that fit, possibly none
     */
    public static Map<String, String> bounded(Map<String, String> entries) {
        if (entries.isEmpty()) {
            return Map.of();
        }
        byte[] b = encode(entries, MAX_BYTES);
        if (b == null) {
            return Map.of();
        }
        try {
            return readBlock(b, 0, b.length);
        } catch (StreamCorruptedException cannotHappen) { // we just wrote it
            throw new IllegalStateException(cannotHappen);
        }
    }

    private static Map<String, String> readBlock(byte[] bytes, int off, int len) throws StreamCorruptedException {
        DataInputStream d = new DataInputStream(new ByteArrayInputStream(bytes, off, len));
        try {
            int n = d.readUnsignedShort();
            if (n > MAX_ENTRIES) {
                throw new StreamCorruptedException("a call context of " + n + " entries, more than " + MAX_ENTRIES);
            }
            Map<String, String> m = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                m.put(d.readUTF(), d.readUTF());
            }
            if (d.available() != 0) {
                throw new StreamCorruptedException(d.available() + " bytes after the entries of a call context");
            }
            return m;
        } catch (StreamCorruptedException e) {
            throw e;
        } catch (IOException e) { // past the block's end, or malformed UTF-8
            StreamCorruptedException x = new StreamCorruptedException("a malformed call context: " + e);
            x.initCause(e);
            throw x;
        }
    }

    /**
     * The TASK or MAP payload after the context block.
     *
     * @param payload the whole payload
     * @return the rest
     * @throws StreamCorruptedException if the block's length is out of bounds
     */
    public static byte[] rest(byte[] payload) throws StreamCorruptedException {
        return Arrays.copyOfRange(payload, 4 + blockLength(payload), payload.length);
    }

    private static int blockLength(byte[] payload) throws StreamCorruptedException {
        if (payload.length < 4) {
            throw new StreamCorruptedException("a call context in a payload of " + payload.length + " bytes");
        }
        int n = ((payload[0] & 0xff) << 24) | ((payload[1] & 0xff) << 16) | ((payload[2] & 0xff) << 8) | (payload[3] & 0xff);
        if (n < 2 || n > MAX_BYTES || n > payload.length - 4) {
            throw new StreamCorruptedException("bad call context length " + n + " in a payload of " + payload.length
                    + " bytes (at most " + MAX_BYTES + ")");
        }
        return n;
    }

    /**
     * The trace id and span id of a valid W3C {@code traceparent}
     * ({@code version-traceid-parentid-flags}, lower-case hex, ids not all zero, version not
     * {@code ff}), or null.
     *
     * @param traceparent the value, may be null
     * @return {@code {traceId, spanId}}, or null when it is not valid
     */
    public static String[] parseTraceparent(String traceparent) {
        if (traceparent == null || traceparent.length() < 55) {
            return null;
        }
        String s = traceparent;
        if (s.charAt(2) != '-' || s.charAt(35) != '-' || s.charAt(52) != '-') {
            return null;
        }
        String version = s.substring(0, 2);
        if (!hex(version) || "ff".equals(version)) {
            return null;
        }
        if ("00".equals(version) ? s.length() != 55 : s.length() > 55 && s.charAt(55) != '-') {
            return null;
        }
        String traceId = s.substring(3, 35);
        String spanId = s.substring(36, 52);
        if (!hex(traceId) || !hex(spanId) || !hex(s.substring(53, 55)) || zeros(traceId) || zeros(spanId)) {
            return null;
        }
        return new String[] {traceId, spanId};
    }

    private static boolean hex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static boolean zeros(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }

    /**
     * Restores {@code entries} on this thread around a call: as MDC entries when SLF4J is visible to
     * {@code loader}, and as the worker's current trace id. Give the result to {@link #exit}.
     *
     * @param entries the entries, may be null or empty (then nothing is done)
     * @param loader the application's class loader
     * @return what {@link #exit} puts back, or null when nothing was done
     */
    public static Restore enter(Map<String, String> entries, ClassLoader loader) {
        return enter(entries, loader, false);
    }

    /**
     * As {@link #enter(Map, ClassLoader)}; {@code markOutput}: the call runs in a process pool's
     * worker, whose output lines are then marked with the call's trace id until {@link #exit}.
     */
    static Restore enter(Map<String, String> entries, ClassLoader loader, boolean markOutput) {
        if (entries == null || entries.isEmpty()) {
            return null;
        }
        Map<String, String> put = new LinkedHashMap<>(entries);
        String[] ids = parseTraceparent(entries.get(TRACEPARENT));
        if (ids != null) {
            put.put("traceId", ids[0]);
            put.put("spanId", ids[1]);
        }
        Mdc mdc = Mdc.of(loader);
        Map<String, String> before = new LinkedHashMap<>();
        if (mdc != null) {
            for (Map.Entry<String, String> e : put.entrySet()) {
                before.put(e.getKey(), mdc.get(e.getKey()));
                mdc.put(e.getKey(), e.getValue());
            }
        }
        if (!markOutput) {
            return new Restore(mdc, before, false, null);
        }
        String previousTrace = currentTrace;
        currentTrace = ids == null ? null : ids[0];
        return new Restore(mdc, before, true, previousTrace);
    }

    /**
     * Puts back what {@link #enter} changed on this thread.
     *
     * @param r the result of {@code enter}, may be null
     */
    public static void exit(Restore r) {
        if (r == null) {
            return;
        }
        if (r.marked) {
            currentTrace = r.previousTrace;
        }
        if (r.mdc != null) {
            for (Map.Entry<String, String> e : r.before.entrySet()) {
                if (e.getValue() == null) {
                    r.mdc.remove(e.getKey());
                } else {
                    r.mdc.put(e.getKey(), e.getValue());
                }
            }
        }
    }

    /**
     * The trace id of the call running in this worker, or null.
     *
     * @return the id
     */
    static String traceId() {
        return currentTrace;
    }

    // ------------------------------------------------------------------ output lines

    /** Starts a marked line: SOH, {@code trace=<id>}, STX (control characters no text line starts with). */
    private static final char MARK_START = '\u0001';
    private static final char MARK_END = '\u0002';

    /**
     * The worker's standard error as its {@code System.out} and {@code System.err} see it: each line
     * whose first byte is written while a call with a trace id runs starts with a mark carrying that
     * id, which the parent turns into its {@code [worker <pid> trace=<id>]} prefix. Used under the
     * lock of the one {@code PrintStream} that wraps it.
     *
     * @param err the worker's standard error
     * @return the stream to print to
     */
    static OutputStream markingLines(OutputStream err) {
        return new MarkedLines(err);
    }

    /**
     * Splits a line a worker wrote into its trace id and its text.
     *
     * @param line the line as read
     * @return {@code {traceId, text}} for a marked line, or null for a plain one
     */
    static String[] unmark(String line) {
        if (line.isEmpty() || line.charAt(0) != MARK_START) {
            return null;
        }
        int end = line.indexOf(MARK_END);
        if (end != 39 || !line.startsWith("trace=", 1)) {
            return null;
        }
        String id = line.substring(7, end);
        return hex(id) ? new String[] {id, line.substring(end + 1)} : null;
    }

    private static final class MarkedLines extends FilterOutputStream {
        private boolean lineStart = true;

        MarkedLines(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            if (lineStart) {
                mark();
            }
            out.write(b);
            lineStart = b == '\n';
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            int end = off + len;
            int from = off;
            for (int i = off; i < end; i++) {
                if (lineStart) {
                    if (i > from) {
                        out.write(b, from, i - from);
                        from = i;
                    }
                    mark();
                    lineStart = false;
                }
                if (b[i] == '\n') {
                    lineStart = true;
                }
            }
            if (end > from) {
                out.write(b, from, end - from);
            }
        }

        private void mark() throws IOException {
            String t = currentTrace;
            if (t != null) {
                out.write(new StringBuilder(40).append(MARK_START).append("trace=").append(t).append(MARK_END)
                        .toString().getBytes(StandardCharsets.ISO_8859_1));
            }
        }
    }

    /** What {@link #enter} changed, to put back. */
    public static final class Restore {
        private final Mdc mdc;
        private final Map<String, String> before;
        private final boolean marked;
        private final String previousTrace;

        Restore(Mdc mdc, Map<String, String> before, boolean marked, String previousTrace) {
            this.mdc = mdc;
            this.before = before;
            this.marked = marked;
            this.previousTrace = previousTrace;
        }
    }

    /** SLF4J's MDC, reached by reflection (this library has no dependency), or none. */
    static final class Mdc {
        /** The loader looked up last, and what it gave: a worker has one application loader. */
        private static volatile Object[] last;

        private final Method get;
        private final Method put;
        private final Method remove;

        private Mdc(Class<?> c) throws NoSuchMethodException {
            this.get = c.getMethod("get", String.class);
            this.put = c.getMethod("put", String.class, String.class);
            this.remove = c.getMethod("remove", String.class);
        }

        static Mdc of(ClassLoader loader) {
            Object[] l = last;
            if (l != null && l[0] == loader) {
                return (Mdc) l[1];
            }
            Mdc m;
            try {
                m = new Mdc(Class.forName("org.slf4j.MDC", true, loader));
            } catch (ReflectiveOperationException | LinkageError notThere) {
                m = null;
            }
            last = new Object[] {loader, m};
            return m;
        }

        String get(String key) {
            try {
                return (String) get.invoke(null, key);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }

        void put(String key, String value) {
            try {
                put.invoke(null, key, value);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // an MDC adapter that refuses the entry: the call runs without it
            }
        }

        void remove(String key) {
            try {
                remove.invoke(null, key);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // as above
            }
        }
    }
}

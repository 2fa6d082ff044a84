package io.github.futures.process;

import io.github.futures.spi.Serialization;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputFilter;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.StreamCorruptedException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The wire protocol between a pool and its worker JVMs, shared by both sides.
 *
 * <pre>
 *   worker start:  worker -> parent   MAGIC (8 bytes)
 *   every frame:   int length | byte type | long id | payload (length - 9 bytes)
 *
 *   parent -> worker   INIT  (payload: the serialized initializer)
 *                      TASK  (payload: a serialized Callable, or a lambda that captured nothing
 *                             encoded by LambdaCodec; its id names the future)
 *                      EXIT  (no payload: finish and exit)
 *                      REVOKE (no payload: give call id back unless it started)
 *                      MAP   (payload: int n, the function (n bytes, serialized or encoded as
 *                             in TASK), the chunk of
 *                             items as a tagged value: one call applying the function to each)
 *                      CTX_TASK, CTX_MAP (6, 7: a TASK or MAP whose payload starts with the caller's
 *                             context entries, int length | block; sent only when there are entries:
 *                             see CallContext)
 *   worker -> parent   RESULT       (payload: the value, tagged: see V_*)
 *                      EXCEPTION    (payload: an ExceptionEnvelope, see writeEnvelope)
 *                      INIT_FAILED  (payload: an ExceptionEnvelope)
 *                      REVOKED      (no payload: call id was given back, it never started)
 *                      INIT_DONE    (no payload: the initializer returned; sent only when there is one)
 *                      HEAP         (no payload; the id is the used heap in bytes after a call; sent
 *                                    after each outcome when the pool limits workers' memory, else
 *                                    after the first and then at most once a second)
 * </pre>
 *
 * <p>The parent writes to the worker's standard input and reads its standard output; the worker's
 * {@code System.out}/{@code System.err} are redirected to its standard error before anything else
 * runs. Each serialized object in a payload is an independent Java serialization stream, read through an
 * {@link ObjectInputFilter}; a frame longer than the configured maximum is refused. A whole frame
 * is built in one buffer and written with one call, so a frame costs one system call.
 *
 * <p>Internal: the frame types a pool reads and the frame it is handed are public for the process
 * pool in {@code io.github.futures}; not part of the API.
 */
public final class Wire {

    /** First bytes a worker writes: "FUTWRK" and the protocol version. */
    static final long MAGIC = 0x4655_5457_524B_0001L;

    /** Parent to worker: the initializer. */
    public static final byte INIT = 1;
    static final byte TASK = 2;
    static final byte EXIT = 3;
    static final byte REVOKE = 4;
    static final byte MAP = 5;
    /** Worker to parent: the value of call {@code id}. */
    public static final byte RESULT = 10;
    /** Worker to parent: the exception of call {@code id}. */
    public static final byte EXCEPTION = 11;
    /** Worker to parent: the initializer failed. */
    public static final byte INIT_FAILED = 12;
    /** Worker to parent: call {@code id} was given back; it never started. */
    public static final byte REVOKED = 13;
    /** Worker to parent: the initializer returned; calls may start. */
    public static final byte INIT_DONE = 14;
    /** Worker to parent: its used heap after a call (after each when the pool limits worker memory, else at most once a second). */
    public static final byte HEAP = 15;

    /** Bytes of a frame before its payload: length, type, id. */
    static final int HEADER = 13;

    /** How a user lets a refused class through, for the filter's message. */
    static final String ALLOW_HINT = "ProcessPoolExecutor.builder().serialFilter(...)";

    /*
     * A RESULT payload starts with a tag: common immutable values travel without Java serialization
     * (whose stream set-up costs microseconds per message); anything else is a serialization stream.
     */
    static final int V_SERIAL = 0;
    static final int V_NULL = 1;
    static final int V_INT = 2;
    static final int V_LONG = 3;
    static final int V_FALSE = 4;
    static final int V_TRUE = 5;
    static final int V_STRING = 6;
    static final int V_DOUBLE = 7;
    /** An ArrayList of values that are all simple (map chunks return them). */
    static final int V_LIST = 8;

    /** 128 MiB: far above what a task should carry, far below what a JVM cannot hold. */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 128 * 1024 * 1024;

    private Wire() {
    }

    /** A growable buffer that holds one frame; the first {@link #HEADER} bytes are its header. */
    static final class Frame extends ByteArrayOutputStream {
        Frame(int size) {
            super(size);
        }

        /** Empties the buffer and reserves the header. */
        Frame begin() {
            count = HEADER;
            if (buf.length < HEADER) {
                buf = new byte[256];
            }
            return this;
        }

        /** Fills in the header. */
        Frame finish(byte type, long id) {
            header(buf, count, type, id);
            return this;
        }

        int payloadSize() {
            return count - HEADER;
        }

        byte[] array() {
            return buf;
        }

        /** Drops a huge buffer so that one big message does not pin its memory forever. */
        void trim() {
            if (buf.length > 1 << 20) {
                buf = new byte[4096];
            }
            count = 0;
        }
    }

    /** Writes the header of a frame of {@code size} bytes (header included) into {@code b}. */
    static void header(byte[] b, int size, byte type, long id) {
        int len = size - 4;
        b[0] = (byte) (len >>> 24);
        b[1] = (byte) (len >>> 16);
        b[2] = (byte) (len >>> 8);
        b[3] = (byte) len;
        b[4] = type;
        for (int i = 0; i < 8; i++) {
            b[5 + i] = (byte) (id >>> (56 - 8 * i));
        }
    }

    /** Serializes {@code obj} into {@code frame} after the header; the caller finishes the header. */
    static void serialize(Frame frame, Object obj) throws IOException {
        frame.begin();
        ObjectOutputStream oos = new ObjectOutputStream(frame);
        oos.writeObject(obj);
        oos.flush();
    }

    /** Writes a tagged value (see V_*) after the header. */
    static void encodeValue(Frame frame, Object v) throws IOException {
        frame.begin();
        appendValue(frame, v);
    }

    /** Appends a tagged value at the frame's current end. */
    static void appendValue(Frame frame, Object v) throws IOException {
        DataOutputStream d = new DataOutputStream(frame);
        // writeSimple writes nothing when it returns false
        if (!writeSimple(d, v, true)) {
            frame.write(V_SERIAL);
            ObjectOutputStream oos = new ObjectOutputStream(frame);
            oos.writeObject(v);
            oos.flush();
        }
    }

    private static boolean isSimple(Object v) {
        if (v == null) {
            return true;
        }
        Class<?> c = v.getClass();
        return c == Integer.class || c == Long.class || c == Boolean.class || c == Double.class
                || (c == String.class && ((String) v).length() <= 16_000);
    }

    private static boolean writeSimple(DataOutputStream d, Object v, boolean top) throws IOException {
        if (v == null) {
            d.write(V_NULL);
        } else if (v.getClass() == Integer.class) {
            d.write(V_INT);
            d.writeInt((Integer) v);
        } else if (v.getClass() == Long.class) {
            d.write(V_LONG);
            d.writeLong((Long) v);
        } else if (v.getClass() == Boolean.class) {
            d.write((Boolean) v ? V_TRUE : V_FALSE);
        } else if (v.getClass() == Double.class) {
            d.write(V_DOUBLE);
            d.writeDouble((Double) v);
        } else if (v.getClass() == String.class && ((String) v).length() <= 16_000) {
            d.write(V_STRING);
            d.writeUTF((String) v); // modified UTF-8, as serialization: every char survives
        } else if (top && v.getClass() == ArrayList.class) {
            ArrayList<?> list = (ArrayList<?>) v;
            int n = list.size();
            if (n > 100_000) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                if (!isSimple(list.get(i))) {
                    return false;
                }
            }
            d.write(V_LIST);
            d.writeInt(n);
            for (int i = 0; i < n; i++) {
                writeSimple(d, list.get(i), false);
            }
        } else {
            return false;
        }
        return true;
    }

    /** Reads a value written by {@link #encodeValue}. */
    static Object decodeValue(byte[] payload, ObjectInputFilter filter, ClassLoader loader)
            throws IOException, ClassNotFoundException {
        return decodeValue(payload, 0, filter, loader);
    }

    /**
     * Builds a MAP frame: the function's serialized bytes behind their length, then the chunk of
     * items as a tagged value (see {@link #appendValue}).
     *
     * @param fnBytes the serialized function
     * @param items the chunk
     * @return the frame, header not yet finished
     * @throws IOException if an item cannot be serialized
     */
    static Frame mapFrame(byte[] fnBytes, List<?> items) throws IOException {
        Frame fr = new Frame(fnBytes.length + 64 + 16 * items.size());
        fr.begin();
        DataOutputStream d = new DataOutputStream(fr);
        d.writeInt(fnBytes.length);
        d.write(fnBytes);
        appendValue(fr, items instanceof ArrayList<?> ? items : new ArrayList<>(items));
        return fr;
    }

    /**
     * The function's bytes of a MAP payload (see {@link #mapFrame}).
     *
     * @throws StreamCorruptedException if the payload is not a MAP payload
     */
    static byte[] mapFunction(byte[] payload) throws StreamCorruptedException {
        int n = mapFunctionLength(payload);
        return Arrays.copyOfRange(payload, 4, 4 + n);
    }

    /** The items of a MAP payload (see {@link #mapFrame}), through the filter. */
    static Object mapItems(byte[] payload, ObjectInputFilter filter, ClassLoader loader)
            throws IOException, ClassNotFoundException {
        return decodeValue(payload, 4 + mapFunctionLength(payload), filter, loader);
    }

    /**
     * Whether the items of a MAP payload are a serialization stream (else simple values, which need no filter).
     *
     * @throws StreamCorruptedException if the payload is not a MAP payload
     */
    static boolean mapItemsSerialized(byte[] payload) throws StreamCorruptedException {
        int at = 4 + mapFunctionLength(payload);
        return at >= payload.length || payload[at] == V_SERIAL;
    }

    private static int mapFunctionLength(byte[] payload) throws StreamCorruptedException {
        if (payload.length < 4) {
            throw new StreamCorruptedException("a MAP payload of " + payload.length + " bytes");
        }
        int n = ((payload[0] & 0xff) << 24) | ((payload[1] & 0xff) << 16) | ((payload[2] & 0xff) << 8) | (payload[3] & 0xff);
        if (n < 0 || n > payload.length - 4) {
            throw new StreamCorruptedException("bad function length " + n + " in a MAP payload of " + payload.length + " bytes");
        }
        return n;
    }

    /** Reads a value written by {@link #appendValue} at {@code offset}. */
    static Object decodeValue(byte[] payload, int offset, ObjectInputFilter filter, ClassLoader loader)
            throws IOException, ClassNotFoundException {
        if (payload.length <= offset) {
            throw new StreamCorruptedException("empty value");
        }
        if (payload[offset] == V_SERIAL) {
            return deserialize(payload, offset + 1, filter, loader);
        }
        DataInputStream d = new DataInputStream(new ByteArrayInputStream(payload, offset, payload.length - offset));
        Object v = readSimple(d, d.read(), true);
        if (d.available() != 0) {
            throw new StreamCorruptedException("trailing bytes after a value");
        }
        return v;
    }

    private static Object readSimple(DataInputStream d, int tag, boolean top) throws IOException {
        switch (tag) {
            case V_NULL:
                return null;
            case V_INT:
                return d.readInt();
            case V_LONG:
                return d.readLong();
            case V_FALSE:
                return Boolean.FALSE;
            case V_TRUE:
                return Boolean.TRUE;
            case V_DOUBLE:
                return d.readDouble();
            case V_STRING:
                return d.readUTF();
            case V_LIST:
                if (top) {
                    int n = d.readInt();
                    if (n < 0 || n > 100_000) {
                        throw new StreamCorruptedException("bad list length " + n);
                    }
                    ArrayList<Object> list = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        list.add(readSimple(d, d.read(), false));
                    }
                    return list;
                }
                throw new StreamCorruptedException("nested list");
            default:
                throw new StreamCorruptedException("unknown value tag " + tag);
        }
    }

    /**
     * Whether instances of a class carry no state: a serializable lambda that captured nothing (such
     * as a non-capturing lambda or method reference, which javac makes a singleton). Two such
     * objects of one class behave the same, so one deserialized instance may serve many calls.
     */
    static final ClassValue<Boolean> STATELESS = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> c) {
            return c.isSynthetic() && c.getName().contains("$$Lambda") && Serializable.class.isAssignableFrom(c)
                    && allStatic(c.getDeclaredFields());
        }
    };

    private static boolean allStatic(Field[] fields) {
        for (Field f : fields) {
            if (!Modifier.isStatic(f.getModifiers())) {
                return false;
            }
        }
        return true;
    }

    /** One frame read from a stream. */
    public static final class Incoming {
        /** The frame type ({@link #RESULT}, say). */
        public byte type;
        /** The id of the call it is about. */
        public long id;
        /** The payload; its reader may take it (and set this to {@code null}). */
        public byte[] payload;
        /** Payload bytes of this frame not yet read from the stream (0 once it was read whole). */
        int unread;
    }

    /**
     * Reads one frame.
     *
     * @throws java.io.EOFException when the stream ends between frames
     * @throws StreamCorruptedException when the bytes are not a frame
     */
    static Incoming read(DataInputStream in, int maxMessageSize, Incoming into) throws IOException {
        int len = in.readInt();
        if (len < HEADER - 4 || len - (HEADER - 4) > maxMessageSize) {
            throw new BadFrame(len, maxMessageSize);
        }
        into.type = in.readByte();
        into.id = in.readLong();
        into.payload = null;
        into.unread = len - (HEADER - 4);
        byte[] p = new byte[into.unread];
        in.readFully(p);
        into.unread = 0;
        into.payload = p;
        return into;
    }

    /** Bytes that cannot start a frame; keeps them, so that the reader can show what was written instead. */
    static final class BadFrame extends StreamCorruptedException {
        private static final long serialVersionUID = 1L;
        final int start;

        BadFrame(int start, int maxMessageSize) {
            super(new StringBuilder("not a frame: length ").append(start).append(" (limit ").append(maxMessageSize)
                    .append(')').toString());
            this.start = start;
        }

        /** The four bytes read as the length. */
        byte[] startBytes() {
            return new byte[] {(byte) (start >>> 24), (byte) (start >>> 16), (byte) (start >>> 8), (byte) start};
        }
    }

    /**
     * Writes an EXCEPTION or INIT_FAILED payload: the envelope's strings and the serialized exception,
     * each as an int length ({@code -1} for null) and its bytes (UTF-8 for strings). No Java
     * serialization: the parent reads the envelope without deserializing anything, and only the
     * exception itself goes through the filter.
     */
    static void writeEnvelope(Frame frame, ExceptionEnvelope env) throws IOException {
        frame.begin();
        DataOutputStream d = new DataOutputStream(frame);
        writeChunk(d, utf8(env.className));
        writeChunk(d, utf8(env.message));
        writeChunk(d, utf8(env.trace));
        writeChunk(d, env.serialized);
        writeChunk(d, utf8(env.notSerializedBecause));
    }

    /**
     * Reads a payload written by {@link #writeEnvelope}.
     *
     * @throws StreamCorruptedException if the payload is not an envelope
     */
    static ExceptionEnvelope readEnvelope(byte[] payload) throws IOException {
        DataInputStream d = new DataInputStream(new ByteArrayInputStream(payload));
        String className = string(readChunk(d));
        String message = string(readChunk(d));
        String trace = string(readChunk(d));
        byte[] serialized = readChunk(d);
        String why = string(readChunk(d));
        if (d.available() != 0 || className == null || trace == null) {
            throw new StreamCorruptedException("not an exception envelope (" + payload.length + " bytes)");
        }
        return new ExceptionEnvelope(className, message, trace, serialized, why);
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static String string(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    private static void writeChunk(DataOutputStream d, byte[] b) throws IOException {
        if (b == null) {
            d.writeInt(-1);
        } else {
            d.writeInt(b.length);
            d.write(b);
        }
    }

    private static byte[] readChunk(DataInputStream d) throws IOException {
        int n = d.readInt();
        if (n == -1) {
            return null;
        }
        if (n < 0 || n > d.available()) {
            throw new StreamCorruptedException("bad length " + n + " in an exception envelope");
        }
        return d.readNBytes(n);
    }

    /**
     * Deserializes a payload, or the part of it from {@code offset} on, through the filter (see
     * {@link Serialization#deserialize}: a refused class is named, arrays are bounded by the length).
     */
    static Object deserialize(byte[] payload, int offset, ObjectInputFilter filter, ClassLoader loader)
            throws IOException, ClassNotFoundException {
        return Serialization.deserialize(payload, offset, payload.length - offset, filter, loader, ALLOW_HINT);
    }

    /** Builds the exception a deserialization problem becomes, naming the class at fault. */
    static InvalidObjectException cannotRead(String what, Exception e) {
        InvalidObjectException x = new InvalidObjectException(what + " could not be deserialized: " + e);
        x.initCause(e);
        return x;
    }
}

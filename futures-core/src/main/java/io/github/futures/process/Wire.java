package io.github.futures.process;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.InvalidObjectException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.OutputStream;
import java.io.StreamCorruptedException;

/**
 * The wire protocol between a pool and its worker JVMs, shared by both sides.
 *
 * <pre>
 *   worker start:  worker -> parent   MAGIC (8 bytes)
 *   every frame:   int length | byte type | long id | payload (length - 9 bytes)
 *
 *   parent -> worker   INIT  (payload: the serialized initializer)
 *                      TASK  (payload: a serialized Callable; its id names the future)
 *                      EXIT  (no payload: finish and exit)
 *                      REVOKE (no payload: give call id back unless it started)
 *   worker -> parent   RESULT       (payload: the serialized value)
 *                      EXCEPTION    (payload: a serialized ExceptionEnvelope)
 *                      INIT_FAILED  (payload: a serialized ExceptionEnvelope)
 *                      REVOKED      (no payload: call id was given back, it never started)
 * </pre>
 *
 * <p>The parent writes to the worker's standard input and reads its standard output; the worker's
 * {@code System.out}/{@code System.err} are redirected to its standard error before anything else
 * runs. Each payload is an independent Java serialization stream, read through an
 * {@link ObjectInputFilter}; a frame longer than the configured maximum is refused. A whole frame
 * is built in one buffer and written with one call, so a frame costs one system call.
 */
final class Wire {

    /** First bytes a worker writes: "FUTWRK" and the protocol version. */
    static final long MAGIC = 0x4655_5457_524B_0001L;

    static final byte INIT = 1;
    static final byte TASK = 2;
    static final byte EXIT = 3;
    static final byte REVOKE = 4;
    static final byte RESULT = 10;
    static final byte EXCEPTION = 11;
    static final byte INIT_FAILED = 12;
    static final byte REVOKED = 13;

    /** Bytes of a frame before its payload: length, type, id. */
    static final int HEADER = 13;

    /**
     * The default deserialization filter: limits that no sane task reaches, and a refusal of the
     * classic gadget classes. Everything else (that is, any application class) is let through: the
     * other end is this application's own code, on this application's classpath.
     */
    static final String DEFAULT_FILTER = "maxdepth=2000;maxrefs=50000000"
            + ";!org.apache.commons.collections.functors.*"
            + ";!org.apache.commons.collections4.functors.*"
            + ";!org.codehaus.groovy.runtime.ConvertedClosure"
            + ";!org.codehaus.groovy.runtime.MethodClosure"
            + ";!com.sun.org.apache.xalan.internal.xsltc.trax.TemplatesImpl"
            + ";!org.apache.xalan.xsltc.trax.TemplatesImpl"
            + ";!com.sun.rowset.JdbcRowSetImpl"
            + ";!java.rmi.server.UnicastRemoteObject"
            + ";!java.rmi.server.RemoteObjectInvocationHandler";

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
    static final int DEFAULT_MAX_MESSAGE_SIZE = 128 * 1024 * 1024;

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
        java.io.DataOutputStream d = new java.io.DataOutputStream(frame);
        if (!writeSimple(d, v, true)) {
            frame.begin();
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

    private static boolean writeSimple(java.io.DataOutputStream d, Object v, boolean top) throws IOException {
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
        } else if (top && v.getClass() == java.util.ArrayList.class) {
            java.util.ArrayList<?> list = (java.util.ArrayList<?>) v;
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
        if (payload.length == 0) {
            throw new StreamCorruptedException("empty value");
        }
        if (payload[0] == V_SERIAL) {
            return deserialize(payload, 1, filter, loader);
        }
        DataInputStream d = new DataInputStream(new ByteArrayInputStream(payload));
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
                    java.util.ArrayList<Object> list = new java.util.ArrayList<>(n);
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
            return c.isSynthetic() && c.getName().contains("$$Lambda") && java.io.Serializable.class.isAssignableFrom(c)
                    && allStatic(c.getDeclaredFields());
        }
    };

    private static boolean allStatic(java.lang.reflect.Field[] fields) {
        for (java.lang.reflect.Field f : fields) {
            if (!java.lang.reflect.Modifier.isStatic(f.getModifiers())) {
                return false;
            }
        }
        return true;
    }

    /** One frame read from a stream. */
    static final class Incoming {
        byte type;
        long id;
        byte[] payload;
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
        byte[] p = new byte[len - (HEADER - 4)];
        in.readFully(p);
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

    /** Creates the filter for a pattern; {@code null} or empty means {@link #DEFAULT_FILTER}. */
    static ObjectInputFilter filter(String pattern) {
        String p = pattern == null || pattern.isEmpty() ? DEFAULT_FILTER : pattern;
        return ObjectInputFilter.Config.createFilter(p);
    }

    /**
     * Deserializes a payload through the filter, resolving classes with {@code loader}.
     *
     * @throws InvalidClassException naming the refused class when the filter refused one
     */
    static Object deserialize(byte[] payload, ObjectInputFilter filter, ClassLoader loader)
            throws IOException, ClassNotFoundException {
        return deserialize(payload, 0, filter, loader);
    }

    static Object deserialize(byte[] payload, int offset, ObjectInputFilter filter, ClassLoader loader)
            throws IOException, ClassNotFoundException {
        Recording recording = new Recording(filter);
        try (FilteredInput in = new FilteredInput(new ByteArrayInputStream(payload, offset, payload.length - offset), loader)) {
            in.setObjectInputFilter(recording);
            return in.readObject();
        } catch (InvalidClassException e) {
            String refused = recording.refused;
            if (refused != null) {
                InvalidClassException named = new InvalidClassException(refused,
                        "refused by the deserialization filter; allow it with ProcessPoolExecutor.builder()"
                                + ".serialFilter(...) (the default filter lets every class through but a few"
                                + " known gadget classes, and limits depth to 2000 and references to 50000000)");
                named.initCause(e);
                throw named;
            }
            throw e;
        }
    }

    /** Resolves classes with a given loader (the application's), not the caller's. */
    private static final class FilteredInput extends ObjectInputStream {
        private final ClassLoader loader;

        FilteredInput(ByteArrayInputStream in, ClassLoader loader) throws IOException {
            super(in);
            this.loader = loader;
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            if (loader != null) {
                try {
                    return Class.forName(desc.getName(), false, loader);
                } catch (ClassNotFoundException e) {
                    // primitives and classes of other loaders: the default lookup below
                }
            }
            return super.resolveClass(desc);
        }
    }

    /** Delegates to a filter, then to the JVM-wide one, and remembers what was refused. */
    private static final class Recording implements ObjectInputFilter {
        private final ObjectInputFilter filter;
        String refused;

        Recording(ObjectInputFilter filter) {
            this.filter = filter;
        }

        @Override
        public Status checkInput(FilterInfo info) {
            Status s = filter == null ? Status.UNDECIDED : filter.checkInput(info);
            if (s == Status.UNDECIDED) {
                ObjectInputFilter global = ObjectInputFilter.Config.getSerialFilter();
                if (global != null) {
                    s = global.checkInput(info);
                }
            }
            if (s == Status.REJECTED && refused == null) {
                Class<?> c = info.serialClass();
                refused = c != null ? c.getName()
                        : new StringBuilder("(depth ").append(info.depth()).append(", references ")
                                .append(info.references()).append(", array length ").append(info.arrayLength())
                                .append(')').toString();
            }
            return s;
        }
    }

    /** Builds the exception a deserialization problem becomes, naming the class at fault. */
    static InvalidObjectException cannotRead(String what, Exception e) {
        InvalidObjectException x = new InvalidObjectException(what + " could not be deserialized: " + e);
        x.initCause(e);
        return x;
    }
}

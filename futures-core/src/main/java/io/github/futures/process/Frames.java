package io.github.futures.process;

import io.github.futures.spi.Serialization;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * What a pool sends to its workers and makes of what they send back: the frames of calls, map chunks
 * and the initializer, built once per call in the submitting thread; and the values and exceptions
 * decoded from RESULT and EXCEPTION payloads, always through the pool's deserialization filter.
 *
 * <pre>
 *  submit ──task()──▶ TASK frame ─┐                      ┌─▶ decodeResult()    ──▶ future.setResult
 *  map    ──map()───▶ MAP frame  ─┼─▶ pool queue ─▶ ...  ┤
 *  init   ──init()──▶ INIT frame ─┘                      └─▶ decodeException() ──▶ future.setException
 * </pre>
 *
 * <p>Implementation note. A call that captured nothing (a constant lambda, a static method
 * reference) travels as the names that identify it ({@link LambdaCodec}), not serialized, and is the
 * same call each time: the bytes of the last such call, and of the last such map
 * function, are kept in two volatile fields ({@link #lastTask}, {@link #lastFunction}), each an
 * immutable pair of the object and its bytes, so it is encoded once; the worker keeps the
 * deserialized object in its own cache, keyed by the bytes. Anything else is stateless here.
 *
 * <p>Internal: used by the process pool in {@code io.github.futures}; not part of the API.
 */
public final class Frames {

    /** The frame that asks a worker to finish and exit. */
    public static final byte[] EXIT = new Wire.Frame(Wire.HEADER).begin().finish(Wire.EXIT, 0L).toByteArray();

    /** Where a call goes, for messages. */
    static final String DESTINATION = "a worker process";

    /** The largest payload kept in a cache: a stateless lambda is a few hundred bytes. */
    private static final int CACHEABLE = 4096;

    private final int maxMessageSize;
    /** The filter's pattern ({@code null}: the default). */
    private final String filterPattern;
    /**
     * The filter, made on first use ({@link #filter()}): the JDK's filter configuration looks up a
     * logger and bootstraps lambdas when first used, which a pool's constructor must not pay for.
     */
    private volatile ObjectInputFilter filter;
    private final ClassLoader loader;
    private final Function<String, ? extends Throwable> remoteTrace;

    /** The last stateless call serialized, with its whole frame: a constant lambda submitted again is not serialized again. */
    private volatile Cached lastTask;
    /** The last stateless map function serialized, with its bytes. */
    private volatile Cached lastFunction;

    private record Cached(Object fn, byte[] bytes) {
    }

    /**
     * Frames whose filter is made from {@code filterPattern} when first needed: the JDK's filter
     * configuration looks up a logger and bootstraps lambdas, which a pool's constructor must not pay for.
     *
     * @param maxMessageSize the largest payload, in bytes
     * @param filterPattern the filter's pattern, already checked, or {@code null} for the default
     * @param loader resolves classes of results and exceptions
     * @param remoteTrace makes the cause that carries a worker's formatted stack trace (the caller's
     *     {@code RemoteTraceback}), attached to every exception decoded
     */
    public Frames(int maxMessageSize, String filterPattern, ClassLoader loader,
                  Function<String, ? extends Throwable> remoteTrace) {
        this.maxMessageSize = maxMessageSize;
        this.filterPattern = filterPattern;
        this.loader = loader;
        this.remoteTrace = remoteTrace;
    }

    /** The filter every object read goes through; made on first use (racing threads make equal ones). */
    ObjectInputFilter filter() {
        ObjectInputFilter f = filter;
        if (f == null) {
            f = Serialization.filter(filterPattern);
            filter = f;
        }
        return f;
    }

    // ------------------------------------------------------------------ building

    /**
     * The TASK frame of a call.
     *
     * @param task the call
     * @param id the call's id
     * @return the whole frame
     * @throws IllegalArgumentException if it cannot be serialized or is larger than {@code maxMessageSize}
     */
    public byte[] task(Callable<?> task, long id) {
        Cached c = lastTask;
        if (c != null && c.fn() == task) {
            byte[] frame = c.bytes().clone();
            Wire.header(frame, frame.length, Wire.TASK, id);
            return frame;
        }
        boolean stateless = Wire.STATELESS.get(task.getClass());
        byte[] encoded = stateless ? LambdaCodec.encode(task) : null;
        byte[] frame;
        if (encoded != null && encoded.length <= maxMessageSize) {
            frame = new byte[Wire.HEADER + encoded.length];
            System.arraycopy(encoded, 0, frame, Wire.HEADER, encoded.length);
            Wire.header(frame, frame.length, Wire.TASK, id);
        } else {
            frame = serialize(task, Wire.TASK, id, "task", maxMessageSize);
        }
        if (stateless && frame.length <= CACHEABLE) {
            lastTask = new Cached(task, frame.clone());
        }
        return frame;
    }

    /**
     * The MAP frame of a chunk: {@code fn} applied to each item (layout: {@link Wire#mapFrame}).
     *
     * @param fn the function
     * @param items the chunk
     * @param id the call's id
     * @return the whole frame
     * @throws IllegalArgumentException if the function or an item cannot be serialized, or it is too large
     */
    public byte[] map(Function<?, ?> fn, List<?> items, long id) {
        byte[] fnBytes = functionBytes(fn);
        Wire.Frame fr;
        try {
            fr = Wire.mapFrame(fnBytes, items);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(Serialization.notSerializable("map items", items, e, DESTINATION), e);
        }
        if (fr.payloadSize() > maxMessageSize) {
            throw new IllegalArgumentException("A chunk of " + items.size() + " map items is " + fr.payloadSize()
                    + " bytes serialized, more than maxMessageSize (" + maxMessageSize + " bytes); use a"
                    + " smaller chunksize, or raise the limit with ProcessPoolExecutor.builder().maxMessageSize(...)");
        }
        return fr.finish(Wire.MAP, id).toByteArray();
    }

    private byte[] functionBytes(Object fn) {
        Cached c = lastFunction;
        if (c != null && c.fn() == fn) {
            return c.bytes();
        }
        boolean stateless = Wire.STATELESS.get(fn.getClass());
        byte[] bytes = stateless ? LambdaCodec.encode(fn) : null;
        if (bytes == null) {
            Wire.Frame fr = new Wire.Frame(512);
            try {
                Wire.serialize(fr, fn);
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException(Serialization.notSerializable("function", fn, e, DESTINATION), e);
            }
            bytes = Arrays.copyOfRange(fr.array(), Wire.HEADER, fr.size());
        }
        if (stateless && bytes.length <= CACHEABLE) {
            lastFunction = new Cached(fn, bytes);
        }
        return bytes;
    }

    /**
     * A whole frame holding one serialized object.
     *
     * @param obj the object
     * @param type the frame type ({@link Wire#INIT}, say)
     * @param id the call's id, or 0
     * @param what what it is, for messages: {@code task}, {@code initializer}
     * @param maxMessageSize the largest payload, in bytes
     * @return the whole frame
     * @throws IllegalArgumentException if it cannot be serialized or is larger than {@code maxMessageSize}
     */
    public static byte[] serialize(Object obj, byte type, long id, String what, int maxMessageSize) {
        Wire.Frame fr = new Wire.Frame(512);
        try {
            Wire.serialize(fr, obj);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(Serialization.notSerializable(what, obj, e, DESTINATION), e);
        }
        if (fr.payloadSize() > maxMessageSize) {
            throw new IllegalArgumentException("The " + what + " (" + obj.getClass().getName() + ") is "
                    + fr.payloadSize() + " bytes serialized, more than maxMessageSize (" + maxMessageSize
                    + " bytes); send less data with each call, or raise the limit with"
                    + " ProcessPoolExecutor.builder().maxMessageSize(...)");
        }
        return fr.finish(type, id).toByteArray();
    }

    /**
     * The frame that asks a worker to give call {@code id} back unless it started it.
     *
     * @param id the call's id
     * @return the whole frame
     */
    public static byte[] revoke(long id) {
        return new Wire.Frame(Wire.HEADER).begin().finish(Wire.REVOKE, id).toByteArray();
    }

    // ------------------------------------------------------------------ decoding

    /**
     * The value of a RESULT payload, through the filter.
     *
     * @param payload the payload
     * @return the value
     * @throws IOException if it cannot be read (a refused class is named)
     * @throws ClassNotFoundException if its class is missing here
     */
    public Object decodeResult(byte[] payload) throws IOException, ClassNotFoundException {
        // The filter only for a serialized value: numbers, strings and lists of them need none.
        boolean serialized = payload.length > 0 && payload[0] == Wire.V_SERIAL;
        return Wire.decodeValue(payload, serialized ? filter() : null, loader);
    }

    /**
     * The exception of an EXCEPTION or INIT_FAILED payload, with the worker's stack trace attached
     * as its cause (made by the {@code remoteTrace} function given to the constructor). An exception
     * that cannot be read here (its class is missing or refused by the filter) becomes a
     * {@link RuntimeException} naming its class and message.
     *
     * @param payload the payload
     * @param pid the worker's pid, for messages
     * @return the exception
     * @throws IOException if the envelope itself cannot be read
     */
    public Throwable decodeException(byte[] payload, long pid) throws IOException {
        ExceptionEnvelope env = Wire.readEnvelope(payload);
        Throwable remote = remoteTrace.apply(env.trace);
        Throwable t = null;
        String why = env.notSerializedBecause;
        if (env.serialized != null) {
            try {
                t = (Throwable) Serialization.deserialize(env.serialized, 0, env.serialized.length, filter(), loader,
                        Wire.ALLOW_HINT);
            } catch (IOException | ClassNotFoundException | ClassCastException e) {
                why = "this JVM could not deserialize it: " + ExceptionEnvelope.describe(e);
            }
        }
        if (t == null) {
            return new RuntimeException(env.className + (env.message == null ? "" : ": " + env.message)
                    + " (raised in worker pid " + pid + "; the exception itself could not be sent back: " + why
                    + ")", remote);
        }
        try {
            t.initCause(remote);
        } catch (IllegalStateException | IllegalArgumentException hasCause) {
            t.addSuppressed(remote);
        }
        return t;
    }
}

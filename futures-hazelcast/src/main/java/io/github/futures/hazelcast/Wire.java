package io.github.futures.hazelcast;

import io.github.futures.spi.Serialization;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectInputFilter;
import java.io.ObjectOutputStream;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Java serialization of calls, results and exceptions, done by this module rather than left to
 * Hazelcast, so that a call that cannot be serialized fails at {@code submit} naming the class at
 * fault, and a result or exception that cannot be serialized fails only its own future.
 *
 * <p>Every read goes through {@link Serialization#deserialize} with the executor's filter: calls
 * and initializers on the member (the filter's pattern travels with each call), results and
 * exceptions on the caller. Classes are resolved with the loader given (the thread's context class
 * loader on a member, the application's on the caller), then the default lookup.
 */
final class Wire {

    /** How the user lets a refused class through, for the filter's message. */
    static final String ALLOW_HINT = "ClusterExecutor.builder().serialFilter(...)";

    /** Filters by pattern, so that a member parses each executor's pattern once; bounded. */
    private static final ConcurrentHashMap<String, ObjectInputFilter> FILTERS = new ConcurrentHashMap<>();
    private static final int FILTERS_LIMIT = 64;

    private Wire() {
    }

    /**
     * Serializes {@code value}.
     *
     * @throws NotSerializableException naming the first class that is not serializable
     * @throws IOException on any other serialization failure
     */
    static byte[] toBytes(Object value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }

    /** Deserializes what {@link #toBytes} wrote, through {@code filter}. */
    static Object read(byte[] bytes, ObjectInputFilter filter, ClassLoader loader) throws IOException, ClassNotFoundException {
        return Serialization.deserialize(bytes, 0, bytes.length, filter, loader, ALLOW_HINT);
    }

    /**
     * The filter for a pattern as sent with a call ({@code ""}: {@link Serialization#DEFAULT_FILTER}).
     *
     * @throws IllegalArgumentException if the pattern is malformed
     */
    static ObjectInputFilter filter(String pattern) {
        ObjectInputFilter f = FILTERS.get(pattern);
        if (f == null) {
            f = Serialization.filter(pattern);
            if (FILTERS.size() >= FILTERS_LIMIT) {
                FILTERS.clear();
            }
            FILTERS.put(pattern, f);
        }
        return f;
    }

    /** The loader that resolves the application's classes in this thread. */
    static ClassLoader loader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : Wire.class.getClassLoader();
    }
}

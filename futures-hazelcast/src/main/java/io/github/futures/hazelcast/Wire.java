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
 *
 * <p>A member reads a call through the call's pattern under its own filter's veto
 * ({@link #underMember}): the pattern comes from whoever sent the call, and the member's owner, not
 * the sender, has the last word on what the member refuses.
 */
final class Wire {

    /** How the user lets a refused class through, for the filter's message. */
    static final String ALLOW_HINT = "ClusterExecutor.builder().serialFilter(...)";

    /** Filters by pattern, so that a member parses each executor's pattern once; bounded. */
    private static final ConcurrentHashMap<String, ObjectInputFilter> FILTERS = new ConcurrentHashMap<>();
    private static final int FILTERS_LIMIT = 64;

    /**
     * The filters of the members that executors of this JVM started and own, by Hazelcast instance
     * name (unique in a JVM): each owner's {@code serialFilter}. Added before the member starts,
     * removed when it leaves.
     */
    private static final ConcurrentHashMap<String, ObjectInputFilter> MEMBER_FILTERS = new ConcurrentHashMap<>();

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

    /** Records the filter of a member that an executor of this JVM owns: what that member refuses, whoever sends. */
    static void memberFilter(String instanceName, ObjectInputFilter filter) {
        MEMBER_FILTERS.put(instanceName, filter);
    }

    /** Forgets a member's filter once it has left. */
    static void forgetMember(String instanceName) {
        MEMBER_FILTERS.remove(instanceName);
    }

    /**
     * The filter a member reads a call with: the call's own, {@code call}, under the veto of the
     * member's filter (its owning executor's, or {@link Serialization#DEFAULT_FILTER} for any other
     * member), which leaves to the JVM-wide filter what it leaves undecided. A class either refuses is
     * refused; so a sender's pattern that allows everything cannot let through what the member's
     * owner or operator refuses. For the owner's own calls (the same pattern) this is its filter as it
     * was.
     *
     * @param instanceName the member's instance name, or null if unknown
     * @param call the filter of the call's pattern
     */
    static ObjectInputFilter underMember(String instanceName, ObjectInputFilter call) {
        ObjectInputFilter owner = instanceName == null ? null : MEMBER_FILTERS.get(instanceName);
        ObjectInputFilter member = owner != null ? owner : filter("");
        return info -> {
            ObjectInputFilter.Status s = member.checkInput(info);
            if (s == ObjectInputFilter.Status.UNDECIDED) {
                ObjectInputFilter global = ObjectInputFilter.Config.getSerialFilter();
                if (global != null) {
                    s = global.checkInput(info);
                }
            }
            return s == ObjectInputFilter.Status.REJECTED ? s : call.checkInput(info);
        };
    }

    /** The loader that resolves the application's classes in this thread. */
    static ClassLoader loader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : Wire.class.getClassLoader();
    }
}

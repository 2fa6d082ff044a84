package io.github.futures.autoconfigure;

import java.util.List;
import java.util.Map;

/**
 * Typed views of the untyped values tests read from snapshots' {@code config()}, health details and
 * configuration metadata (maps and lists of JSON-like values): the one place their unchecked casts live.
 */
public final class Untyped {

    private Untyped() {
    }

    /** A map of JSON-like values, as health details and metadata entries are. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    /** A list of strings, as a process pool's {@code jvmOptions} in {@code config()} is. */
    @SuppressWarnings("unchecked")
    public static List<String> strings(Object value) {
        return (List<String>) value;
    }

    /** A list of JSON-like values. */
    @SuppressWarnings("unchecked")
    public static List<Object> list(Object value) {
        return (List<Object>) value;
    }
}

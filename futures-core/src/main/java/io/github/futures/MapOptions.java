package io.github.futures;

import java.time.Duration;

/**
 * Options of {@link Executor#map(java.util.function.Function, Iterable, MapOptions)}: Python's
 * {@code timeout}, {@code chunksize} and {@code buffersize} keyword arguments.
 *
 * <pre>{@code
 * executor.map(fn, items, MapOptions.DEFAULTS.withChunksize(20).withTimeout(Duration.ofSeconds(5)))
 * }</pre>
 *
 * @param timeout how long after the call of {@code map} all results must be available; {@code null}
 *     means no limit
 * @param chunksize how many items one task carries to a worker process (thread pools ignore it); at least 1
 * @param buffersize how many chunks may be in flight ahead of the consumer; 0 means no limit
 * @since 0.1.0
 */
public record MapOptions(Duration timeout, int chunksize, int buffersize) {

    /** No timeout, chunksize 1, no buffer limit. */
    public static final MapOptions DEFAULTS = new MapOptions(null, 1, 0);

    /**
     * Checks the values.
     *
     * @param timeout how long after the call of {@code map} all results must be available, or {@code null}
     * @param chunksize how many items one task carries; at least 1
     * @param buffersize how many chunks may be in flight ahead of the consumer; 0 means no limit
     * @throws IllegalArgumentException if {@code chunksize < 1} or {@code buffersize < 0}
     */
    public MapOptions {
        if (chunksize < 1) {
            throw new IllegalArgumentException("chunksize must be >= 1, got " + chunksize);
        }
        if (buffersize < 0) {
            throw new IllegalArgumentException(
                    "buffersize must be >= 0 (0 means no limit), got " + buffersize);
        }
    }

    /**
     * Returns a copy with another timeout.
     *
     * @param timeout the timeout, {@code null} for none
     * @return the new options
     */
    public MapOptions withTimeout(Duration timeout) {
        return new MapOptions(timeout, chunksize, buffersize);
    }

    /**
     * Returns a copy with another chunk size.
     *
     * @param chunksize items per task, at least 1
     * @return the new options
     * @throws IllegalArgumentException if {@code chunksize < 1}
     */
    public MapOptions withChunksize(int chunksize) {
        return new MapOptions(timeout, chunksize, buffersize);
    }

    /**
     * Returns a copy with another buffer size.
     *
     * @param buffersize chunks in flight ahead of the consumer, 0 for no limit
     * @return the new options
     * @throws IllegalArgumentException if {@code buffersize < 0}
     */
    public MapOptions withBuffersize(int buffersize) {
        return new MapOptions(timeout, chunksize, buffersize);
    }
}

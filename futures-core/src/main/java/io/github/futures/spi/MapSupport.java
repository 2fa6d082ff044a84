package io.github.futures.spi;

import io.github.futures.Executor;
import io.github.futures.Future;
import io.github.futures.MapOptions;
import io.github.futures.SerializableFunction;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The engine behind {@link Executor#map}: submits items (or chunks of items), keeps at most
 * {@code buffersize} chunks in flight when asked to, and yields results in order with one deadline
 * for all of them. Executors that batch items per task (process and cluster pools) use
 * {@link #mapChunked}; the others get {@link #map} through {@code Executor}'s default method.
 *
 * <p>Not for application code: this is part of the executor implementor's API.
 */
public final class MapSupport {

    private MapSupport() {
    }

    /**
     * Maps with one task per item; {@code chunksize} is ignored.
     *
     * @param executor the executor that runs the calls
     * @param fn the function
     * @param items the arguments
     * @param options timeout, chunk size, buffer size
     * @param <T> the argument type
     * @param <R> the result type
     * @return the results in order
     */
    public static <T, R> Stream<R> map(Executor executor, Function<? super T, ? extends R> fn,
                                       Iterable<? extends T> items, MapOptions options) {
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(fn, "fn");
        Objects.requireNonNull(items, "items");
        Objects.requireNonNull(options, "options");
        // One task per item, handed over as is: no one-element chunk list per item.
        Function<Object, Future<?>> submitItem = item -> {
            @SuppressWarnings("unchecked")
            T arg = (T) item;
            return executor.submit(() -> fn.apply(arg));
        };
        return stream(new MapIterator<T, R>(items.iterator(), 1, options, submitItem, false));
    }

    /**
     * Maps with one task per chunk of {@code options.chunksize()} items; {@code submitChunk} submits
     * one chunk and returns the future of its results (a list as long as the chunk, in order).
     *
     * @param items the arguments
     * @param options timeout, chunk size, buffer size
     * @param submitChunk submits one chunk
     * @param <T> the argument type
     * @param <R> the result type
     * @return the results in order
     */
    public static <T, R> Stream<R> mapChunked(Iterable<? extends T> items, MapOptions options,
                                              Function<List<T>, ? extends Future<? extends List<? extends R>>> submitChunk) {
        Objects.requireNonNull(items, "items");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(submitChunk, "submitChunk");
        @SuppressWarnings("unchecked")
        Function<Object, Future<?>> submitList = chunk -> submitChunk.apply((List<T>) chunk);
        return stream(new MapIterator<T, R>(items.iterator(), options.chunksize(), options, submitList, true));
    }

    private static <R> Stream<R> stream(MapIterator<?, R> it) {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(it,
                Spliterator.ORDERED), false).onClose(it::cancelAll);
    }

    /**
     * A pair of arguments for the two-iterable {@code map}.
     *
     * @param a the first argument
     * @param b the second argument
     * @param <A> the first type
     * @param <B> the second type
     */
    public record Pair<A, B>(A a, B b) implements Serializable {
    }

    /**
     * Zips two iterables lazily, stopping at the shorter one.
     *
     * @param a first
     * @param b second
     * @param <A> first type
     * @param <B> second type
     * @return the pairs
     */
    public static <A, B> Iterable<Pair<A, B>> zip(Iterable<? extends A> a, Iterable<? extends B> b) {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        return () -> new Iterator<>() {
            private final Iterator<? extends A> ia = a.iterator();
            private final Iterator<? extends B> ib = b.iterator();

            @Override
            public boolean hasNext() {
                return ia.hasNext() && ib.hasNext();
            }

            @Override
            public Pair<A, B> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return new Pair<>(ia.next(), ib.next());
            }
        };
    }

    /**
     * Turns a two-argument function into one over {@link Pair}s; the result is serializable when
     * {@code fn} is.
     *
     * @param fn the function
     * @param <A> first type
     * @param <B> second type
     * @param <R> result type
     * @return a function of pairs
     */
    public static <A, B, R> SerializableFunction<Pair<A, B>, R> spread(BiFunction<? super A, ? super B, ? extends R> fn) {
        return new Spread<>(Objects.requireNonNull(fn, "fn"));
    }

    private static final class Spread<A, B, R> implements SerializableFunction<Pair<A, B>, R> {
        private static final long serialVersionUID = 1L;
        private final BiFunction<? super A, ? super B, ? extends R> fn;

        Spread(BiFunction<? super A, ? super B, ? extends R> fn) {
            this.fn = fn;
        }

        @Override
        public R apply(Pair<A, B> p) {
            return fn.apply(p.a(), p.b());
        }
    }

    /**
     * The iterator behind the stream. Single consumer. Order: a deque of chunk futures, oldest first.
     * With a buffer size, taking from the oldest chunk first submits the next chunk (as CPython 3.14).
     */
    private static final class MapIterator<T, R> implements Iterator<R> {
        private final Iterator<? extends T> source;
        private final int chunksize;
        private final int buffersize;
        private final boolean chunked;
        private final long deadline;
        private final boolean timed;
        /** Submits one item (not chunked) or one List of items (chunked). */
        private final Function<Object, Future<?>> submit;
        private final ArrayDeque<Future<?>> inFlight = new ArrayDeque<>();
        private Iterator<? extends R> current;

        MapIterator(Iterator<? extends T> source, int chunksize, MapOptions options,
                    Function<Object, Future<?>> submit, boolean chunked) {
            this.source = source;
            this.chunksize = chunksize;
            this.buffersize = options.buffersize();
            this.chunked = chunked;
            this.submit = submit;
            Duration timeout = options.timeout();
            long nanos = Timeouts.toNanosOrForever(timeout);
            this.timed = nanos >= 0L;
            this.deadline = timed ? System.nanoTime() + nanos : 0L;
            try {
                while ((buffersize == 0 || inFlight.size() < buffersize) && submitNext()) {
                    // submitted one more chunk
                }
            } catch (RuntimeException | Error e) {
                cancelAll();
                throw e;
            }
        }

        private boolean submitNext() {
            if (!source.hasNext()) {
                return false;
            }
            if (!chunked) {
                inFlight.addLast(submit.apply(source.next()));
                return true;
            }
            List<T> chunk = new ArrayList<>(Math.min(chunksize, 1024));
            while (chunk.size() < chunksize && source.hasNext()) {
                chunk.add(source.next());
            }
            inFlight.addLast(submit.apply(chunk));
            return true;
        }

        @Override
        public boolean hasNext() {
            return (current != null && current.hasNext()) || !inFlight.isEmpty();
        }

        @Override
        @SuppressWarnings("unchecked")
        public R next() {
            if (current != null && current.hasNext()) {
                return current.next();
            }
            current = null;
            Future<?> f = inFlight.pollFirst();
            if (f == null) {
                throw new NoSuchElementException();
            }
            try {
                if (buffersize > 0) {
                    submitNext();
                }
                Object r = timed ? f.result(Duration.ofNanos(Math.max(0L, deadline - System.nanoTime()))) : f.result();
                if (!chunked) {
                    return (R) r;
                }
                current = ((List<? extends R>) r).iterator();
                if (!current.hasNext()) {
                    return next();
                }
                return current.next();
            } catch (RuntimeException | Error e) {
                f.cancel();
                cancelAll();
                throw e;
            }
        }

        void cancelAll() {
            for (Future<?> f; (f = inFlight.pollFirst()) != null; ) {
                f.cancel();
            }
        }
    }
}

package io.github.futures;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
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
 * The engine behind {@link io.github.futures.Executor#map}: submits items through a submit function,
 * keeps at most {@code buffersize} calls in flight when asked to, and yields results in order with one
 * deadline for all of them. A chunked map, for executors that batch items per call (process and cluster
 * pools), is a map over batches of items, flattened, as CPython's {@code ProcessPoolExecutor.map} is.
 *
 * <p>It knows nothing of executors: what runs a call is the submit function the executor passes in.
 * Not for application code: this is part of the executor implementor's API.
 */
public final class MapSupport {

    private MapSupport() {
    }

    /**
     * Maps with one call per item: {@code submit} schedules one item and returns its future.
     * {@code options.chunksize()} is not used here (see {@link #mapChunked}).
     *
     * @param submit schedules the call for one item
     * @param items the arguments
     * @param options timeout, buffer size
     * @param <T> the argument type
     * @param <R> the result type
     * @return the results in order; closing the stream cancels the calls not yet started
     */
    public static <T, R> Stream<R> map(Function<? super T, ? extends Future<? extends R>> submit,
                                       Iterable<? extends T> items, MapOptions options) {
        Objects.requireNonNull(submit, "submit");
        Objects.requireNonNull(items, "items");
        Objects.requireNonNull(options, "options");
        MapIterator<T, R> it = new MapIterator<>(items.iterator(), options, submit);
        return stream(it, it);
    }

    /**
     * Maps with one call per chunk of {@code options.chunksize()} items: a {@link #map} over the
     * batches, flattened. {@code submitChunk} submits one chunk and returns the future of its results
     * (a list as long as the chunk, in order); {@code buffersize} counts chunks.
     *
     * @param items the arguments
     * @param options timeout, chunk size, buffer size
     * @param submitChunk submits one chunk
     * @param <T> the argument type
     * @param <R> the result type
     * @return the results in order; closing the stream cancels the chunks not yet started
     */
    public static <T, R> Stream<R> mapChunked(Iterable<? extends T> items, MapOptions options,
                                              Function<List<T>, ? extends Future<? extends List<? extends R>>> submitChunk) {
        Objects.requireNonNull(items, "items");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(submitChunk, "submitChunk");
        MapIterator<List<T>, List<? extends R>> chunks = new MapIterator<>(
                batchIterator(items, options.chunksize()), options, submitChunk);
        return stream(new Flatten<R>(chunks), chunks);
    }

    /** The results as an ordered stream whose {@code iterator()} is {@code results}; closing it cancels {@code calls}. */
    private static <R> Stream<R> stream(Iterator<R> results, MapIterator<?, ?> calls) {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(results, Spliterator.ORDERED), false)
                .onClose(new CancelAll(calls));
    }

    // The map path's functions are classes, not lambdas: in a cold JVM each lambda class is spun at
    // its first use, which a process pool's first map would pay for on the caller's thread.

    /** Closing a map's stream cancels the calls not yet started. */
    private static final class CancelAll implements Runnable {
        private final MapIterator<?, ?> it;

        CancelAll(MapIterator<?, ?> it) {
            this.it = it;
        }

        @Override
        public void run() {
            it.cancelAll();
        }
    }

    /**
     * The results of the chunks, in order, each chunk's results taken when the previous chunk's ran out. An
     * iterator, not {@code Stream.flatMap}: the stream is then a plain source whose {@code iterator()} hands this
     * one back, where a {@code flatMap} stage made a cold JVM's first map spin stream lambdas and load the
     * buffering spliterators on the caller's thread (about 30 ms there).
     */
    private static final class Flatten<R> implements Iterator<R> {
        private final Iterator<? extends List<? extends R>> chunks;
        private Iterator<? extends R> current = Collections.emptyIterator();

        Flatten(Iterator<? extends List<? extends R>> chunks) {
            this.chunks = chunks;
        }

        @Override
        public boolean hasNext() {
            while (!current.hasNext()) {
                if (!chunks.hasNext()) {
                    return false;
                }
                current = chunks.next().iterator(); // waits for the chunk's results
            }
            return true;
        }

        @Override
        public R next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return current.next();
        }
    }

    /** The items in lists of {@code size} (the last one may be shorter), read lazily. */
    private static <T> Iterator<List<T>> batchIterator(Iterable<? extends T> items, int size) {
        return new Iterator<>() {
            private final Iterator<? extends T> source = items.iterator();

            @Override
            public boolean hasNext() {
                return source.hasNext();
            }

            @Override
            public List<T> next() {
                if (!source.hasNext()) {
                    throw new NoSuchElementException();
                }
                List<T> batch = new ArrayList<>(Math.min(size, 1024));
                while (batch.size() < size && source.hasNext()) {
                    batch.add(source.next());
                }
                return batch;
            }
        };
    }

    /**
     * A pair of arguments for the two-iterable {@code map}.
     *
     * @param a the first argument
     * @param b the second argument
     * @param <A> the first type
     * @param <B> the second type
     * @serial exclude
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
     * The iterator behind the stream. Single consumer. Order: a deque of futures, oldest first. With a
     * buffer size, each element taken submits the next item once the oldest call has ended (CPython
     * 3.14 submits it just before waiting), so at most buffersize calls are ever in flight.
     */
    private static final class MapIterator<T, R> implements Iterator<R> {
        private final Iterator<? extends T> source;
        private final int buffersize;
        private final long deadline;
        private final boolean timed;
        private final Function<? super T, ? extends Future<? extends R>> submit;
        private final ArrayDeque<Future<? extends R>> inFlight = new ArrayDeque<>();

        MapIterator(Iterator<? extends T> source, MapOptions options,
                    Function<? super T, ? extends Future<? extends R>> submit) {
            this.source = source;
            this.buffersize = options.buffersize();
            this.submit = submit;
            long nanos = nanosOrForever(options.timeout());
            this.timed = nanos >= 0L;
            this.deadline = timed ? System.nanoTime() + nanos : 0L;
            try {
                while ((buffersize == 0 || inFlight.size() < buffersize) && submitNext()) {
                    // submitted one more
                }
            } catch (RuntimeException | Error e) {
                // A submit was refused (shutdown, maxPending): nobody will ever see these results, so
                // the calls already submitted are stopped, running ones too, not left to run for nobody.
                stopAll();
                throw e;
            }
        }

        /** The timeout in nanoseconds, or -1 for none; negative is 0, too large is none. */
        private static long nanosOrForever(Duration timeout) {
            if (timeout == null) {
                return -1L;
            }
            if (timeout.isNegative()) {
                return 0L;
            }
            try {
                long nanos = timeout.toNanos();
                return nanos >= Long.MAX_VALUE >> 1 ? -1L : nanos; // about 146 years: no limit
            } catch (ArithmeticException tooLarge) {
                return -1L;
            }
        }

        private boolean submitNext() {
            if (!source.hasNext()) {
                return false;
            }
            inFlight.addLast(submit.apply(source.next()));
            return true;
        }

        @Override
        public boolean hasNext() {
            return !inFlight.isEmpty();
        }

        @Override
        public R next() {
            Future<? extends R> f = inFlight.pollFirst();
            if (f == null) {
                throw new NoSuchElementException();
            }
            R value;
            try {
                value = timed ? f.result(Duration.ofNanos(Math.max(0L, deadline - System.nanoTime()))) : f.result();
            } catch (RuntimeException | Error e) {
                f.cancel();
                cancelAll();
                throw e;
            }
            if (buffersize > 0) {
                // Only now, so that the calls in flight (pending or running) never exceed buffersize:
                // a pool's maxPending of at least buffersize never refuses this map's own calls.
                try {
                    submitNext();
                } catch (RuntimeException | Error e) {
                    stopAll();
                    throw e;
                }
            }
            return value;
        }

        /**
         * Cancels every call in flight, stopping the running ones (cancel(true)); newest first, so that
         * a worker freed by a stopped call finds the later ones already cancelled.
         */
        void stopAll() {
            for (Future<?> f; (f = inFlight.pollLast()) != null; ) {
                f.cancel(true);
            }
        }

        void cancelAll() {
            for (Future<?> f; (f = inFlight.pollFirst()) != null; ) {
                f.cancel();
            }
        }
    }
}

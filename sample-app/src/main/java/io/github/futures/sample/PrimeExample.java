package io.github.futures.sample;

import io.github.futures.MapOptions;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableFunction;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.commons.logging.LogFactory;
import org.springframework.stereotype.Service;

/**
 * The seed's process-pool example: {@link Primes#isPrime} mapped over a range of large numbers by the
 * application's {@link ProcessPoolExecutor} (the starter's {@code futuresProcessPool}), each call run in a
 * worker JVM, the answers taken in the order of the numbers.
 */
@Service
public class PrimeExample {

    /** The seed's first number, {@code 10**12}. */
    public static final long SEED_START = 1_000_000_000_000L;

    /** The seed checks 200 numbers. */
    public static final int SEED_COUNT = 200;

    /** Upper limit of {@code count} for one HTTP request: the answer lists every number. */
    static final int MAX_COUNT = 10_000;

    private final ProcessPoolExecutor pool;

    public PrimeExample(ProcessPoolExecutor pool) {
        this.pool = pool;
    }

    /**
     * The whole seed example, printing what the Python original prints: {@code <n> is prime: True|False},
     * one line per number, in order.
     *
     * @param out where to print
     */
    public void runDemo(PrintStream out) {
        List<Long> numbers = numbers(SEED_START, SEED_COUNT);
        try (Stream<Boolean> primes = pool.map(Primes::isPrime, numbers)) {
            Iterator<Long> n = numbers.iterator();
            primes.forEachOrdered(prime -> out.printf("%d is prime: %s%n", n.next(), Primes.pythonBool(prime)));
        }
    }

    /**
     * Checks {@code count} numbers from {@code start} on the process pool, {@code chunksize} numbers per call,
     * within {@code timeout}: past it, or when {@code cancellation} is cancelled (the client went away), the
     * calls not started yet are cancelled.
     *
     * @param start the first number, at least 0
     * @param count how many numbers, 1 to 10 000
     * @param chunksize numbers sent to a worker at once, 1 or more
     * @param timeout how long the answers may take, from this call
     * @param cancellation cancels the map when the request ends early
     * @return the answer for every number, in order
     * @throws IllegalArgumentException when an argument is out of range
     * @throws io.github.futures.TimeoutError when the answers take longer than {@code timeout}
     * @throws io.github.futures.CancelledError when the request was cancelled
     */
    public PrimeReport check(long start, int count, int chunksize, Duration timeout, Cancellation cancellation) {
        validate(start, count, chunksize);
        List<Long> numbers = numbers(start, count);
        long began = System.nanoTime();
        List<NumberResult> results = new ArrayList<>(count);
        List<Long> primes = new ArrayList<>();
        MapOptions options = MapOptions.DEFAULTS.withChunksize(chunksize).withTimeout(timeout);
        try (Stream<Boolean> answers = cancellation.register(pool.map(isPrimeLoggingFirst(start, count), numbers, options))) {
            Iterator<Long> n = numbers.iterator();
            answers.forEachOrdered(prime -> {
                long number = n.next();
                results.add(new NumberResult(number, prime));
                if (prime) {
                    primes.add(number);
                }
            });
        }
        return new PrimeReport(start, count, chunksize, primes, results,
                Duration.ofNanos(System.nanoTime() - began).toMillis());
    }

    /**
     * {@link Primes#isPrime}, logging one line in the worker JVM when it takes the request's first number. The
     * worker's output is forwarded to the application's log; a line written during a traced call is prefixed
     * {@code [worker <pid> trace=<trace id>]}, the trace of the request that asked for it.
     */
    static SerializableFunction<Long, Boolean> isPrimeLoggingFirst(long first, int count) {
        return n -> {
            if (n == first) {
                LogFactory.getLog(PrimeExample.class).info("checking " + count + " numbers from " + first);
            }
            return Primes.isPrime(n);
        };
    }

    /** The limits of {@link #check}, shared with the cluster example. */
    static void validate(long start, int count, int chunksize) {
        if (start < 0 || start > Long.MAX_VALUE - MAX_COUNT) {
            throw new IllegalArgumentException("start must be between 0 and " + (Long.MAX_VALUE - MAX_COUNT) + ", got " + start);
        }
        if (count < 1 || count > MAX_COUNT) {
            throw new IllegalArgumentException("count must be between 1 and " + MAX_COUNT + ", got " + count);
        }
        if (chunksize < 1) {
            throw new IllegalArgumentException("chunksize must be 1 or more, got " + chunksize);
        }
    }

    static List<Long> numbers(long start, int count) {
        return LongStream.range(start, start + count).boxed().toList();
    }

    /**
     * One number and whether it is prime.
     *
     * @param n the number
     * @param prime whether it is prime
     */
    public record NumberResult(long n, boolean prime) {
    }

    /**
     * The answer of {@code GET /api/primes}.
     *
     * @param start the first number
     * @param count how many numbers
     * @param chunksize numbers per call to a worker
     * @param primes the primes found, in order
     * @param results every number with its answer, in order
     * @param elapsedMillis the wall time of the map
     */
    public record PrimeReport(long start, int count, int chunksize, List<Long> primes, List<NumberResult> results,
                              long elapsedMillis) {
    }
}

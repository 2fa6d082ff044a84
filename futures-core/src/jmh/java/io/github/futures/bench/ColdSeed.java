package io.github.futures.bench;

import io.github.futures.ProcessPoolExecutor;
import java.util.Iterator;
import java.util.List;
import java.util.stream.LongStream;

/**
 * The seed's process example as a program, for the cold-start benchmark ({@code cold-start.sh}):
 * a fresh JVM builds {@code new ProcessPoolExecutor()}, maps {@code is_prime} over 10^12 ...
 * 10^12+199, prints the 200 lines and closes the pool, exactly as {@code cold_seed.py} does with
 * CPython. On standard error it prints one line of phase times in milliseconds, measured from just
 * before the constructor: {@code constructor}, {@code map} (the map call returned), {@code first}
 * (first result taken), {@code results} (all taken), {@code closed} (pool closed: the in-program time).
 *
 * <pre>
 * java -cp futures-core/target/classes:futures-core/target/test-classes io.github.futures.bench.ColdSeed
 * java -cp futures-core/target/classes:futures-core/target/test-classes io.github.futures.bench.ColdSeed 1   # one worker
 * </pre>
 */
public final class ColdSeed {

    private ColdSeed() {
    }

    /**
     * The seed's {@code is_prime}, here and not {@link ProcessTasks#isPrime}: calling that one would
     * initialize ProcessTasks in each worker, whose three constant lambdas cost a cold JVM start-up time
     * that the seed program does not have.
     */
    static boolean isPrime(long n) {
        if (n < 2) {
            return false;
        }
        if (n == 2) {
            return true;
        }
        if (n % 2 == 0) {
            return false;
        }
        long sqrtN = (long) Math.sqrt((double) n) + 1;
        for (long i = 3; i < sqrtN; i += 2) {
            if (n % i == 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Runs the example once.
     *
     * @param args none (a pool of as many workers as processors, as the seed's), or the number of
     *     workers (to see what a worker JVM fewer costs or saves)
     */
    public static void main(String[] args) {
        int workers = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        List<Long> numbers = LongStream.range(1_000_000_000_000L, 1_000_000_000_200L).boxed().toList();
        StringBuilder out = new StringBuilder();
        long t0 = System.nanoTime();
        long constructed;
        long mapped;
        long first = 0;
        long results;
        try (ProcessPoolExecutor executor = workers > 0 ? new ProcessPoolExecutor(workers) : new ProcessPoolExecutor()) {
            constructed = System.nanoTime();
            Iterator<Boolean> primes = executor.map(ColdSeed::isPrime, numbers).iterator();
            mapped = System.nanoTime();
            for (long number : numbers) {
                boolean prime = primes.next();
                if (first == 0) {
                    first = System.nanoTime();
                }
                out.append(number).append(" is prime: ").append(prime ? "True" : "False").append('\n');
            }
            results = System.nanoTime();
        }
        long closed = System.nanoTime();
        System.out.print(out);
        System.out.flush();
        System.err.printf("constructor=%.1f map=%.1f first=%.1f results=%.1f closed=%.1f%n",
                ms(constructed - t0), ms(mapped - t0), ms(first - t0), ms(results - t0), ms(closed - t0));
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}

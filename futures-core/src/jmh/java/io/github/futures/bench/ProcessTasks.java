package io.github.futures.bench;

import io.github.futures.SerializableCallable;
import io.github.futures.SerializableFunction;
import java.util.ArrayList;
import java.util.List;

/**
 * The calls the process-pool benchmarks send to worker JVMs. They live in this small class with no
 * JMH types, so that a worker deserializing them loads nothing else.
 */
public final class ProcessTasks {

    /** A tiny call: returns 1. */
    public static final SerializableCallable<Integer> ONE = () -> 1;

    /** A tiny function: {@code x -> x}. */
    public static final SerializableFunction<Integer, Integer> IDENTITY = x -> x;

    /** The seed's {@code is_prime}. */
    public static final SerializableFunction<Long, Boolean> IS_PRIME = ProcessTasks::isPrime;

    /** The first number the seed's example tests. */
    public static final long FIRST = 1_000_000_000_000L;

    /** How many numbers the seed's example tests. */
    public static final int COUNT = 200;

    private ProcessTasks() {
    }

    /**
     * The seed's {@code is_prime}, line by line.
     *
     * <pre>
     * def is_prime(n):
     *     if n &lt; 2: return False
     *     if n == 2: return True
     *     if n % 2 == 0: return False
     *     sqrt_n = int(n**0.5) + 1
     *     for i in range(3, sqrt_n, 2):
     *         if n % i == 0: return False
     *     return True
     * </pre>
     *
     * @param n the number
     * @return whether it is prime
     */
    public static boolean isPrime(long n) {
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
     * The seed's numbers: {@code range(10**12, 10**12 + 200)}.
     *
     * @return the numbers
     */
    public static List<Long> seedNumbers() {
        List<Long> numbers = new ArrayList<>(COUNT);
        for (long n = FIRST; n < FIRST + COUNT; n++) {
            numbers.add(n);
        }
        return numbers;
    }

    /**
     * How many of the seed's numbers are prime, computed here in one thread.
     *
     * @return the count
     */
    public static int seedPrimeCount() {
        int primes = 0;
        for (long n : seedNumbers()) {
            if (isPrime(n)) {
                primes++;
            }
        }
        return primes;
    }
}

package io.github.futures.process;

import io.github.futures.ProcessPoolExecutor;
import java.util.Iterator;
import java.util.List;
import java.util.stream.LongStream;

/**
 * The seed's process example, line for line:
 *
 * <pre>
 * with concurrent.futures.ProcessPoolExecutor() as executor:
 *     for number, prime in zip(numbers, executor.map(is_prime, numbers)):
 *         print('%d is prime: %s' % (number, prime))
 * </pre>
 */
public final class SeedProcessExample {

    private SeedProcessExample() {
    }

    /**
     * The seed's {@code is_prime}.
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
     * Prints {@code <n> is prime: True|False} for 10^12 .. 10^12+199, in order.
     *
     * @param args unused
     */
    public static void main(String[] args) {
        List<Long> numbers = LongStream.range(1_000_000_000_000L, 1_000_000_000_200L).boxed().toList();
        try (var executor = new ProcessPoolExecutor()) {
            Iterator<Boolean> primes = executor.map(SeedProcessExample::isPrime, numbers).iterator();
            StringBuilder out = new StringBuilder();
            for (long number : numbers) {
                out.append(number).append(" is prime: ").append(primes.next() ? "True" : "False").append('\n');
            }
            System.out.print(out);
        }
    }
}

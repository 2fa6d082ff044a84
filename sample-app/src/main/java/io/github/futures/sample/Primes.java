package io.github.futures.sample;

/**
 * The seed's {@code is_prime}, line for line: trial division by odd numbers up to the square root.
 *
 * <p>It is deliberately the naive algorithm of the Python original, so that checking numbers around
 * 10<sup>12</sup> and above costs real CPU time and is worth sending to a process pool.
 */
public final class Primes {

    private Primes() {
    }

    /**
     * Tells whether {@code n} is prime.
     *
     * @param n any number
     * @return {@code true} when {@code n} is prime
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
     * Python's {@code str(bool)}: the seed prints {@code True} and {@code False}.
     *
     * @param value a truth value
     * @return {@code "True"} or {@code "False"}
     */
    public static String pythonBool(boolean value) {
        return value ? "True" : "False";
    }
}

"""The seed's process example as a program, for the cold-start benchmark (cold-start.sh).

Prints the 200 lines as the seed does, and on standard error one line of phase times in
milliseconds, measured from just before the executor is created, with the same names as the Java
program ColdSeed: constructor, map, first, results, closed (the in-program time).
"""

import concurrent.futures
import sys
import time


def is_prime(n):
    if n < 2:
        return False
    if n == 2:
        return True
    if n % 2 == 0:
        return False
    sqrt_n = int(n**0.5) + 1
    for i in range(3, sqrt_n, 2):
        if n % i == 0:
            return False
    return True


if __name__ == "__main__":
    numbers = [i for i in range(10**12, 10**12 + 200)]
    lines = []
    t0 = time.perf_counter()
    first = 0.0
    with concurrent.futures.ProcessPoolExecutor() as executor:
        constructed = time.perf_counter()
        primes = executor.map(is_prime, numbers)
        mapped = time.perf_counter()
        for number, prime in zip(numbers, primes):
            if not first:
                first = time.perf_counter()
            lines.append('%d is prime: %s' % (number, prime))
        results = time.perf_counter()
    closed = time.perf_counter()
    print('\n'.join(lines))
    sys.stdout.flush()
    ms = lambda t: (t - t0) * 1000.0
    print('constructor=%.1f map=%.1f first=%.1f results=%.1f closed=%.1f'
          % (ms(constructed), ms(mapped), ms(first), ms(results), ms(closed)), file=sys.stderr)

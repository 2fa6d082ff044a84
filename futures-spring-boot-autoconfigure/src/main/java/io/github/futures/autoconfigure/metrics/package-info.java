/**
 * Micrometer meters of the executors: the standard {@code executor.*} meters and the futures' own.
 */
package io.github.futures.autoconfigure.metrics;

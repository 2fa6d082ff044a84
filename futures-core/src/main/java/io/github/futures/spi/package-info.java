/**
 * What the project's executors share and what tools around them read: the observability contract
 * ({@link io.github.futures.spi.ObservableExecutor}, {@link io.github.futures.spi.ExecutorSnapshot}),
 * the termination contract ({@link io.github.futures.spi.Terminable}) that a framework's shutdown and
 * the JVM exit hook see, the rebuild of a broken pool ({@link io.github.futures.spi.Rebuildable}),
 * the pool states and events, and the helpers for calls that travel serialized. Stable for
 * tools that read snapshots; the helpers are for executor implementations.
 */
package io.github.futures.spi;

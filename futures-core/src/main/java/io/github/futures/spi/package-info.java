/**
 * What the project's executors share and what tools around them read: the observability contract
 * ({@link io.github.futures.spi.ObservableExecutor}, {@link io.github.futures.spi.ExecutorSnapshot}),
 * the termination contract ({@link io.github.futures.spi.Terminable}) that a framework's shutdown and
 * the JVM exit hook see, the rebuild of a broken pool ({@link io.github.futures.spi.Rebuildable}),
 * the pool states, the counters and listeners of calls ({@link io.github.futures.spi.TaskStats},
 * {@link io.github.futures.spi.TaskListener}), pool events, and the helpers for calls that travel
 * serialized. Stable for tools that read snapshots; the helpers are for executor implementations.
 * The executor implementor's future and map engine ({@code TrackedFuture}, {@code MapSupport}) live
 * in {@code io.github.futures}, beside the {@code Future} and {@code Executor} they build on.
 *
 * <p>Dependencies: the JDK only. Nothing here uses {@code io.github.futures} or
 * {@code io.github.futures.process}, so that both can use it.
 */
package io.github.futures.spi;

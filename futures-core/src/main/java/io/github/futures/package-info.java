/**
 * Python's {@code concurrent.futures} for Java: {@link io.github.futures.Future},
 * {@link io.github.futures.Executor} and its two pools, {@link io.github.futures.ThreadPoolExecutor}
 * and {@link io.github.futures.ProcessPoolExecutor} (worker JVMs), the module functions
 * {@link io.github.futures.Futures#wait} and {@link io.github.futures.Futures#asCompleted}, and
 * CPython's exceptions. One import serves a program: {@code import io.github.futures.*;}.
 *
 * <pre>{@code
 * try (ThreadPoolExecutor executor = new ThreadPoolExecutor(4, "TaskThreadPool")) {
 *     List<Future<Integer>> futures = List.of(executor.submit(() -> 2), executor.submit(() -> 3));
 *     for (Future<Integer> f : Futures.asCompleted(futures)) {
 *         System.out.println(f.result());
 *     }
 * }
 * }</pre>
 */
package io.github.futures;

/**
 * The child JVM of {@link io.github.futures.ProcessPoolExecutor} and its wire: the command that starts
 * a worker ({@code WorkerCommand}), one worker JVM as the parent sees it ({@code WorkerProcess}), the
 * frames a pool sends and decodes ({@code Frames}, {@code Wire}, {@code ExceptionEnvelope}), and the
 * worker's own {@code main} ({@code WorkerMain}). The pool's scheduling (queue, dispatch, breakage,
 * shutdown) lives in {@code io.github.futures}, beside the executor it implements.
 *
 * <p>Dependencies: the JDK and {@code io.github.futures.spi} only; nothing here uses
 * {@code io.github.futures} (the pool hands in what it needs, such as how a worker's stack trace
 * becomes a {@code RemoteTraceback}). What the pool uses is public for that reason.
 *
 * <p>Internal: not part of the API, may change without notice.
 */
package io.github.futures.process;

/**
 * The engine of {@link io.github.futures.ProcessPoolExecutor}: the worker JVMs, the wire format
 * between them and the parent, and the worker's own {@code main}. Internal: not part of the API, may
 * change without notice.
 */
package io.github.futures.process;

/**
 * The sample application: the seed's two examples, an {@code @Async} example, jobs, a cluster
 * example and a live dashboard, all on the starter's pools.
 */
package io.github.futures.sample;

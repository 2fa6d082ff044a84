/**
 * The futures {@link io.github.futures.Executor} API on a Hazelcast cluster:
 * {@link io.github.futures.hazelcast.ClusterExecutor} runs calls on the members through Hazelcast's
 * distributed executor, and {@link io.github.futures.hazelcast.ClusterNode} configures (and runs)
 * members with closed, loopback-only networking by default.
 */
package io.github.futures.hazelcast;

/**
 * Auto-configuration of the Hazelcast cluster pool, when {@code futures-hazelcast} is on the class path.
 */
package io.github.futures.autoconfigure.cluster;

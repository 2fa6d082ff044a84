/**
 * Auto-configuration of the futures executors for Spring Boot: the default thread and process pools,
 * named pools under {@code futures.executors.<name>}, {@code @Async} on those pools, and their
 * shutdown with the application context.
 */
package io.github.futures.autoconfigure;

/**
 * Actuator support: the {@code futures} endpoint and the health contributor of the executors.
 */
package io.github.futures.autoconfigure.actuate;

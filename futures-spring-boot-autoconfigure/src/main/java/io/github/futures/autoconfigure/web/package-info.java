/**
 * The pools' failures as HTTP answers in Spring MVC applications ({@code futures.web.errors.enabled}).
 */
package io.github.futures.autoconfigure.web;

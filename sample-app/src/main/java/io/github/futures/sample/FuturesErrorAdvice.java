package io.github.futures.sample;

import io.github.futures.BrokenExecutor;
import io.github.futures.CancelledError;
import io.github.futures.TimeoutError;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * The API's answers when a pool cannot serve a request, in the API's JSON error shape: a timed-out call is a
 * 504, a refused one (pool full or stopping) a 503 with {@code Retry-After}, a broken pool a 503 with its
 * reason, a cancelled request a 503. Logged at debug level only: one line per request would flood the log
 * exactly when the pool is in trouble, and the pool's health and events already say so once.
 *
 * <p>The starter offers the same mapping for every controller ({@code futures.web.errors.enabled=true}); when
 * that is on, this advice backs off.
 */
@RestControllerAdvice(assignableTypes = ApiController.class)
@ConditionalOnBooleanProperty(name = "futures.web.errors.enabled", havingValue = false, matchIfMissing = true)
class FuturesErrorAdvice {

    private static final Log logger = LogFactory.getLog(FuturesErrorAdvice.class);

    @ExceptionHandler(TimeoutError.class)
    ResponseEntity<Map<String, Object>> timedOut(TimeoutError e) {
        logger.debug("request timed out", e);
        return ApiErrors.of(HttpStatus.GATEWAY_TIMEOUT, "the calls took longer than the request may wait "
                + "(sample.request-timeout); those not started were cancelled");
    }

    @ExceptionHandler(RejectedExecutionException.class)
    ResponseEntity<Map<String, Object>> rejected(RejectedExecutionException e) {
        logger.debug("request refused by its pool", e);
        return ApiErrors.withRetryAfter(ApiErrors.of(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage()),
                ApiController.RETRY_AFTER_SECONDS);
    }

    @ExceptionHandler(BrokenExecutor.class)
    ResponseEntity<Map<String, Object>> broken(BrokenExecutor e) {
        logger.debug("request on a broken pool", e);
        return ApiErrors.of(HttpStatus.SERVICE_UNAVAILABLE, "the pool is broken: " + e.getMessage());
    }

    @ExceptionHandler(CancelledError.class)
    ResponseEntity<Map<String, Object>> cancelled(CancelledError e) {
        logger.debug("request cancelled", e);
        return ApiErrors.of(HttpStatus.SERVICE_UNAVAILABLE, "the request's calls were cancelled "
                + "(the application is stopping, or the request ended)");
    }
}

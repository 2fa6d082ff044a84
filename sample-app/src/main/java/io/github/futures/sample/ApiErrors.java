package io.github.futures.sample;

import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;

/**
 * The one shape of the API's error answers: {@code {"status": 404, "error": "Not Found", "message": "…"}},
 * the fields of Spring Boot's own error body.
 */
final class ApiErrors {

    private ApiErrors() {
    }

    static ResponseEntity<Map<String, Object>> of(HttpStatus status, String message) {
        return ResponseEntity.status(status).body(Map.of("status", status.value(), "error",
                status.getReasonPhrase(), "message", String.valueOf(message)));
    }

    /** The same answer with a {@code Retry-After} header. */
    static ResponseEntity<Map<String, Object>> withRetryAfter(ResponseEntity<Map<String, Object>> answer, int seconds) {
        return ResponseEntity.status(answer.getStatusCode()).header(HttpHeaders.RETRY_AFTER, Integer.toString(seconds))
                .body(answer.getBody());
    }
}

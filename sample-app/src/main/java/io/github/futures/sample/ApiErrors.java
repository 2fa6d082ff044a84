package io.github.futures.sample;

import java.util.Map;
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
}

package io.github.futures.sample;

import io.github.futures.sample.ClusterPrimeExample.ClusterDisabledException;
import io.github.futures.sample.ClusterPrimeExample.ClusterPrimeReport;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * The cluster example under {@code /api/cluster}: answers 409 with a message saying how to turn the
 * cluster on when the app runs as a single node.
 */
@RestController
@RequestMapping("/api/cluster")
public class ClusterController {

    private final ClusterPrimeExample primes;

    public ClusterController(ClusterPrimeExample primes) {
        this.primes = primes;
    }

    /** The prime example on the cluster pool; the defaults are the seed's numbers. */
    @GetMapping("/primes")
    public ClusterPrimeReport primes(@RequestParam(defaultValue = "" + PrimeExample.SEED_START) long start,
                                     @RequestParam(defaultValue = "" + PrimeExample.SEED_COUNT) int count,
                                     @RequestParam(defaultValue = "10") int chunksize) {
        return primes.check(start, count, chunksize);
    }

    @ExceptionHandler(ClusterDisabledException.class)
    ResponseEntity<Map<String, Object>> clusterOff(ClusterDisabledException e) {
        return error(HttpStatus.CONFLICT, e);
    }

    @ExceptionHandler({IllegalArgumentException.class, MethodArgumentTypeMismatchException.class})
    ResponseEntity<Map<String, Object>> badRequest(Exception e) {
        return error(HttpStatus.BAD_REQUEST, e);
    }

    private static ResponseEntity<Map<String, Object>> error(HttpStatus status, Exception e) {
        return ApiErrors.of(status, e.getMessage());
    }
}

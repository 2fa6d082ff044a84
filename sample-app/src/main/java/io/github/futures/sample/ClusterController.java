package io.github.futures.sample;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.MemberLeftException;
import io.github.futures.hazelcast.ClusterNode;
import io.github.futures.sample.ClusterPrimeExample.ClusterDisabledException;
import io.github.futures.sample.ClusterPrimeExample.ClusterPrimeReport;
import java.util.Map;
import java.util.concurrent.CompletionException;
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
 * cluster on when the app runs as a single node, and 503 naming the member when one left while it ran calls
 * of the request.
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

    /**
     * A member left while it ran calls of the request (at-most-once: they may or may not have run): 503 with
     * a message naming the member, as the other errors; the members that remain take the next request.
     */
    @ExceptionHandler(MemberLeftException.class)
    ResponseEntity<Map<String, Object>> memberLost(MemberLeftException e) {
        Member member = e.getMember();
        String pid = member == null ? null : member.getAttribute(ClusterNode.PID_ATTRIBUTE);
        String who = member == null ? "a member" : "member " + member.getAddress().getHost() + ":"
                + member.getAddress().getPort() + (pid == null ? "" : " (pid " + pid + ")");
        return ApiErrors.withRetryAfter(ApiErrors.of(HttpStatus.SERVICE_UNAVAILABLE, who + " left the cluster while it "
                + "ran calls of this request, which may or may not have run; try again: the members that remain "
                + "take the calls"), 1);
    }

    /** A call's exception arrives wrapped when it is checked, as Hazelcast's MemberLeftException is. */
    @ExceptionHandler(CompletionException.class)
    ResponseEntity<Map<String, Object>> callFailed(CompletionException e) {
        if (e.getCause() instanceof MemberLeftException lost) {
            return memberLost(lost);
        }
        return ApiErrors.of(HttpStatus.INTERNAL_SERVER_ERROR, "a call failed on the cluster: " + e.getCause());
    }

    @ExceptionHandler({IllegalArgumentException.class, MethodArgumentTypeMismatchException.class})
    ResponseEntity<Map<String, Object>> badRequest(Exception e) {
        return error(HttpStatus.BAD_REQUEST, e);
    }

    private static ResponseEntity<Map<String, Object>> error(HttpStatus status, Exception e) {
        return ApiErrors.of(status, e.getMessage());
    }
}

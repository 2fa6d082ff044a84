package io.github.futures.sample;

import io.github.futures.sample.AsyncExample.AsyncReport;
import io.github.futures.sample.JobService.JobView;
import io.github.futures.sample.PrimeExample.PrimeReport;
import io.github.futures.sample.SleepExample.SleepReport;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * The JSON API under {@code /api}: the seed's two examples, the {@code @Async} service and the batch jobs.
 */
@RestController
@RequestMapping("/api")
public class ApiController {

    private final SleepExample sleep;
    private final PrimeExample primes;
    private final AsyncExample async;
    private final JobService jobs;

    public ApiController(SleepExample sleep, PrimeExample primes, AsyncExample async, JobService jobs) {
        this.sleep = sleep;
        this.primes = primes;
        this.async = async;
        this.jobs = jobs;
    }

    /** The thread-pool example; {@code seconds} defaults to the seed's 2, 3, 4. */
    @PostMapping("/sleep")
    public SleepReport sleep(@RequestParam(defaultValue = "2,3,4") List<Integer> seconds) {
        return sleep.run(seconds);
    }

    /** The process-pool example; the defaults are the seed's numbers. */
    @GetMapping("/primes")
    public PrimeReport primes(@RequestParam(defaultValue = "" + PrimeExample.SEED_START) long start,
                              @RequestParam(defaultValue = "" + PrimeExample.SEED_COUNT) int count,
                              @RequestParam(defaultValue = "20") int chunksize) {
        return primes.check(start, count, chunksize);
    }

    /** The {@code @Async} service; the response is written when its future completes. */
    @GetMapping("/async")
    public CompletableFuture<AsyncReport> async(@RequestParam(defaultValue = "futures") String name) {
        return async.greet(name);
    }

    /** Starts a batch of prime checks on the process pool. */
    @PostMapping("/jobs")
    public ResponseEntity<JobView> startJob(@RequestParam(defaultValue = "" + JobService.DEFAULT_START) long start,
                                            @RequestParam(defaultValue = "" + JobService.DEFAULT_COUNT) int count) {
        JobView job = jobs.start(start, count).view();
        return ResponseEntity.created(URI.create("/api/jobs/" + job.id())).body(job);
    }

    /** Every known job, newest first. */
    @GetMapping("/jobs")
    public List<JobView> jobs() {
        return jobs.all().stream().map(JobService.Job::view).toList();
    }

    /** One job's progress; 404 with a message for an unknown job. */
    @GetMapping("/jobs/{id}")
    public ResponseEntity<?> job(@PathVariable String id) {
        return jobs.find(id).<ResponseEntity<?>>map(job -> ResponseEntity.ok(job.view()))
                .orElseGet(() -> noSuchJob(id));
    }

    /** Cancels a job's checks that have not started; 404 with a message for an unknown job. */
    @DeleteMapping("/jobs/{id}")
    public ResponseEntity<?> cancelJob(@PathVariable String id) {
        return jobs.cancel(id).<ResponseEntity<?>>map(job -> ResponseEntity.ok(job.view()))
                .orElseGet(() -> noSuchJob(id));
    }

    private static ResponseEntity<Map<String, Object>> noSuchJob(String id) {
        return ApiErrors.of(HttpStatus.NOT_FOUND, "no job '" + id + "': GET /api/jobs lists the known jobs");
    }

    @ExceptionHandler({IllegalArgumentException.class, MethodArgumentTypeMismatchException.class})
    ResponseEntity<Map<String, Object>> badRequest(Exception e) {
        return ApiErrors.of(HttpStatus.BAD_REQUEST, e.getMessage());
    }
}

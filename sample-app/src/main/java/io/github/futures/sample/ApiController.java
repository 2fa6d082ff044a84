package io.github.futures.sample;

import io.github.futures.sample.AsyncExample.AsyncReport;
import io.github.futures.sample.JobService.JobView;
import io.github.futures.sample.PrimeExample.PrimeReport;
import io.github.futures.sample.SleepExample.SleepReport;
import java.net.URI;
import java.time.Duration;
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
import org.springframework.web.context.request.async.DeferredResult;
import org.springframework.web.context.request.async.WebAsyncTask;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * The JSON API under {@code /api}: the seed's two examples, the {@code @Async} service and the batch jobs.
 *
 * <p>The examples answer asynchronously, within {@code sample.request-timeout}: past it the answer is a 504
 * and the request's calls that have not started are cancelled, as they are when the client goes away (the
 * container's timeout, error and completion callbacks). Jobs run on a pool of their own, at most
 * {@code sample.max-jobs} at once (429 beyond); a job the pool refused is an error, never a 201.
 */
@RestController
@RequestMapping("/api")
public class ApiController {

    private final SleepExample sleep;
    private final PrimeExample primes;
    private final AsyncExample async;
    private final JobService jobs;
    private final SampleProperties properties;

    public ApiController(SleepExample sleep, PrimeExample primes, AsyncExample async, JobService jobs,
                         SampleProperties properties) {
        this.sleep = sleep;
        this.primes = primes;
        this.async = async;
        this.jobs = jobs;
        this.properties = properties;
    }

    /** The thread-pool example; {@code seconds} defaults to the seed's 2, 3, 4. Answers a {@link SleepReport}. */
    @PostMapping("/sleep")
    public DeferredResult<Object> sleep(@RequestParam(defaultValue = "2,3,4") List<Integer> seconds) {
        return sleep.run(seconds, properties.getRequestTimeout());
    }

    /**
     * The process-pool example; the defaults are the seed's numbers. Answers a {@link PrimeReport}. The map
     * runs on the application's task executor, not on the request thread; its own timeout (the request's)
     * normally ends it, the async timeout a little later is the backstop.
     */
    @GetMapping("/primes")
    public WebAsyncTask<Object> primes(@RequestParam(defaultValue = "" + PrimeExample.SEED_START) long start,
                                       @RequestParam(defaultValue = "" + PrimeExample.SEED_COUNT) int count,
                                       @RequestParam(defaultValue = "20") int chunksize) {
        PrimeExample.validate(start, count, chunksize); // a 400 at once, before anything is queued
        Duration timeout = properties.getRequestTimeout();
        long deadline = System.nanoTime() + timeout.toNanos();
        Cancellation cancellation = new Cancellation();
        WebAsyncTask<Object> task = new WebAsyncTask<>(timeout.toMillis() + 1_000, () -> primes.check(start, count,
                chunksize, Duration.ofNanos(Math.max(1, deadline - System.nanoTime())), cancellation));
        task.onTimeout(() -> {
            cancellation.cancel();
            return ApiErrors.of(HttpStatus.GATEWAY_TIMEOUT, "the prime example took longer than " + timeout.toMillis()
                    + " ms (sample.request-timeout): its calls not started were cancelled");
        });
        task.onError(() -> {
            cancellation.cancel();
            return ApiErrors.of(HttpStatus.SERVICE_UNAVAILABLE, "the request failed before its answer was written");
        });
        task.onCompletion(cancellation::cancel);
        return task;
    }

    /** The {@code @Async} service; the response is written when its future completes. */
    @GetMapping("/async")
    public CompletableFuture<AsyncReport> async(@RequestParam(defaultValue = "futures") String name) {
        return async.greet(name);
    }

    /**
     * Starts a batch of prime checks on the jobs' process pool: 201 with the job; 429 when
     * {@code sample.max-jobs} are running or queued; 503 when the pool refused it (broken, stopping).
     */
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

    @ExceptionHandler(JobService.TooManyJobs.class)
    ResponseEntity<Map<String, Object>> tooManyJobs(JobService.TooManyJobs e) {
        return ApiErrors.withRetryAfter(ApiErrors.of(HttpStatus.TOO_MANY_REQUESTS, e.getMessage()), RETRY_AFTER_SECONDS);
    }

    @ExceptionHandler(JobService.JobNotStarted.class)
    ResponseEntity<Map<String, Object>> jobNotStarted(JobService.JobNotStarted e) {
        return ApiErrors.of(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
    }

    /** Seconds a client is asked to wait before it tries again: about the time a default job takes. */
    static final int RETRY_AFTER_SECONDS = 10;
}

package io.github.futures.sample;

import io.github.futures.Future;
import io.github.futures.ProcessPoolExecutor;
import io.github.futures.SerializableCallable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Service;

/**
 * Batch jobs that users can watch: each job checks {@code count} consecutive numbers for primality, one
 * process-pool call per number, and counts the outcomes as the futures complete.
 *
 * <p>Batch work is kept apart from requests: jobs run on a process pool of their own, bean {@value #POOL}
 * (the starter's named pool {@code futures.executors.jobs}), so that a long job never queues ahead of the interactive
 * endpoints on the default pools. At most {@code sample.max-jobs} jobs run or wait at once ({@link TooManyJobs}
 * beyond), which bounds the pending futures and their heap. When the application stops, this service stops
 * first (its lifecycle phase is the highest): it takes no new job, every job still running is cancelled, and
 * the log says how many of its checks were cancelled, so that the interactive pools can drain in the graceful
 * phase.
 *
 * <p>Implementation note. A {@link Job} is created, its futures submitted, and only then published in
 * {@link #jobs}; from then on it is read by any request thread. Its counters are atomics updated by the
 * futures' done-callbacks (which run in whichever thread completes or cancels a future); {@code settled}
 * reaching {@code total} completes {@code finished} exactly once. {@code futures} is written once before
 * publication and only read afterwards. A job whose every future is settled is {@code cancelled} when any
 * of them was cancelled, else {@code failed} when any threw, else {@code done}. {@code slots} holds one permit
 * per job that may still start; a job takes one before it submits anything and gives it back exactly once,
 * when it settles (or when its submission failed). {@code running} and {@code stopping} are volatile: the
 * lifecycle methods run in the thread that starts or closes the context, {@link #start(long, int)} in request
 * threads.
 */
@Service
public class JobService implements SmartLifecycle {

    /** Bean name of the jobs' process pool, declared in application.properties as {@code futures.executors.jobs}. */
    public static final String POOL = "jobs";

    private static final Log logger = LogFactory.getLog(JobService.class);

    /** Default number of prime checks in a job. */
    public static final int DEFAULT_COUNT = 2_000;

    /**
     * Default first number of a job. Around 10<sup>16</sup> a prime costs the naive check 5&times;10<sup>7</sup>
     * divisions (about 0.1 s), so that a default job runs for several seconds on a two-core machine: long
     * enough to watch it on the dashboard, and to cancel it.
     */
    public static final long DEFAULT_START = 10_000_000_000_000_000L;

    /** Upper limit of {@code count}: every number is one future. */
    public static final int MAX_COUNT = 100_000;

    private final ProcessPoolExecutor pool;
    private final SampleProperties properties;
    private final AtomicLong ids = new AtomicLong();
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final Semaphore slots;
    private volatile boolean running;
    private volatile boolean stopping;

    public JobService(@Qualifier(POOL) ProcessPoolExecutor pool, SampleProperties properties) {
        this.pool = pool;
        this.properties = properties;
        this.slots = new Semaphore(properties.getMaxJobs());
    }

    /**
     * Starts a job: submits one prime check per number to the jobs' process pool and returns at once.
     *
     * @param start the first number, at least 0
     * @param count how many numbers, 1 to {@value #MAX_COUNT}
     * @return the running job
     * @throws IllegalArgumentException when an argument is out of range
     * @throws TooManyJobs when {@code sample.max-jobs} jobs are running or queued already
     * @throws JobNotStarted when the pool refused the checks (broken, shut down) or the application is stopping;
     *         the checks it had accepted are cancelled, and the job is not kept
     */
    public Job start(long start, int count) {
        if (count < 1 || count > MAX_COUNT) {
            throw new IllegalArgumentException("count must be between 1 and " + MAX_COUNT + ", got " + count);
        }
        if (start < 0 || start > Long.MAX_VALUE - count) {
            throw new IllegalArgumentException("start must be between 0 and " + (Long.MAX_VALUE - count) + ", got " + start);
        }
        if (stopping) {
            throw new JobNotStarted("the application is stopping: no new jobs");
        }
        if (!slots.tryAcquire()) {
            throw new TooManyJobs(properties.getMaxJobs());
        }
        Job job = new Job(Long.toString(ids.incrementAndGet()), start, count);
        List<Future<Boolean>> futures = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                futures.add(pool.submit(new PrimeCheck(start + i)));
            }
        } catch (RuntimeException e) {
            // A broken or shut-down pool: nothing of this job may run on. No 201 for a job that already failed.
            futures.forEach(Future::cancel);
            slots.release();
            throw new JobNotStarted("the jobs' pool '" + POOL + "' refused the job: " + e.getClass().getSimpleName()
                    + ": " + e.getMessage(), e);
        }
        job.futures = List.copyOf(futures);
        job.finished.whenComplete((j, e) -> slots.release());
        for (Future<Boolean> f : futures) {
            f.addDoneCallback(job::onDone);
        }
        forgetOldJobs();
        jobs.put(job.id, job);
        return job;
    }

    /**
     * @param id a job id
     * @return that job, if it is still known
     */
    public Optional<Job> find(String id) {
        return Optional.ofNullable(jobs.get(id));
    }

    /** @return every known job, newest first */
    public List<Job> all() {
        return jobs.values().stream().sorted(Comparator.comparingLong((Job j) -> j.seq).reversed()).toList();
    }

    /**
     * Cancels the job's futures that have not started; those already running finish.
     *
     * @param id a job id
     * @return the job, if it is known
     */
    public Optional<Job> cancel(String id) {
        Job job = jobs.get(id);
        if (job != null) {
            job.cancel();
        }
        return Optional.ofNullable(job);
    }

    /**
     * Marks the service running. Jobs are accepted from construction on, not only from here: this bean starts
     * last (highest phase), after the web server already takes requests.
     */
    @Override
    public void start() {
        stopping = false;
        running = true;
    }

    /**
     * Cancels every job still running, first of all the application's stopping steps, and logs what each lost:
     * batch work gives way, so that the requests in flight and the interactive pools drain in time.
     */
    @Override
    public void stop() {
        stopping = true;
        running = false;
        for (Job job : all()) {
            if (!job.isFinished()) {
                int cancelled = job.cancel();
                JobView view = job.view();
                logger.info("Stopping: job #" + view.id() + " cancelled, " + cancelled + " of its " + view.total()
                        + " checks cancelled before they started, " + view.done() + " done");
            }
        }
        // Nothing of the jobs is left waiting in their pool; the calls running (a tenth of a second each) end
        // on their own, and the pool is closed when the context is destroyed. Not shut down here: a context
        // can be stopped and started again (the test framework pauses cached contexts).
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** The highest phase: stops before the web server's graceful shutdown and before the pools. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE;
    }

    /** {@code sample.max-jobs} jobs are running or queued already; the API answers 429. */
    public static final class TooManyJobs extends RuntimeException {
        TooManyJobs(int max) {
            super(max + " jobs are running or queued already (sample.max-jobs=" + max
                    + "): wait for one to finish, or cancel one with DELETE /api/jobs/{id}");
        }
    }

    /** The job could not start: its pool refused it, or the application is stopping; the API answers 503. */
    public static final class JobNotStarted extends RuntimeException {
        JobNotStarted(String message) {
            super(message);
        }

        JobNotStarted(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private void forgetOldJobs() {
        Collection<Job> finished = jobs.values().stream().filter(Job::isFinished)
                .sorted(Comparator.comparingLong((Job j) -> j.seq).reversed()).toList();
        finished.stream().skip(properties.getJobHistory()).forEach(j -> jobs.remove(j.id));
    }

    /** One number's check, sent to a worker JVM. */
    record PrimeCheck(long n) implements SerializableCallable<Boolean> {
        @Override
        public Boolean call() {
            return Primes.isPrime(n);
        }
    }

    /** A batch of prime checks and its progress. */
    public static final class Job {
        private final String id;
        private final long seq;
        private final long start;
        private final int total;
        private final Instant createdAt = Instant.now();
        private final long startNanos = System.nanoTime();
        private final AtomicInteger succeeded = new AtomicInteger();
        private final AtomicInteger failed = new AtomicInteger();
        private final AtomicInteger cancelled = new AtomicInteger();
        private final AtomicInteger primes = new AtomicInteger();
        private final AtomicInteger settled = new AtomicInteger();
        private final CompletableFuture<Job> finished = new CompletableFuture<>();
        private volatile long finishedNanos;
        private volatile String error;
        private volatile List<Future<Boolean>> futures = List.of();

        Job(String id, long start, int total) {
            this.id = id;
            this.seq = Long.parseLong(id);
            this.start = start;
            this.total = total;
        }

        private void onDone(io.github.futures.Future<Boolean> f) {
            if (f.cancelled()) {
                cancelled.incrementAndGet();
            } else if (f.exception() != null) {
                failed.incrementAndGet();
                if (error == null) {
                    error = f.exception().toString();
                }
            } else {
                succeeded.incrementAndGet();
                if (f.result()) {
                    primes.incrementAndGet();
                }
            }
            settle(1);
        }

        /** Cancels the checks not started yet; returns how many this call cancelled. */
        private int cancel() {
            int n = 0;
            for (Future<Boolean> f : futures) {
                if (!f.done() && f.cancel()) {
                    n++;
                }
            }
            return n;
        }

        private void settle(int n) {
            if (settled.addAndGet(n) == total) {
                finishedNanos = System.nanoTime();
                finished.complete(this);
            }
        }

        /** @return whether every check has finished or been cancelled */
        public boolean isFinished() {
            return finished.isDone();
        }

        /** @return a future completed with this job once every check has finished or been cancelled */
        public CompletableFuture<Job> finished() {
            return finished;
        }

        /** @return the job as the API shows it */
        public JobView view() {
            int ok = succeeded.get();
            int bad = failed.get();
            int gone = cancelled.get();
            boolean over = isFinished();
            String state = !over ? "running" : gone > 0 ? "cancelled" : bad > 0 ? "failed" : "done";
            long end = over ? finishedNanos : System.nanoTime();
            return new JobView(id, state, start, total, ok + bad, bad, gone, primes.get(),
                    total == 0 ? 1.0 : (ok + bad + gone) / (double) total, createdAt,
                    Duration.ofNanos(end - startNanos).toMillis(), error);
        }
    }

    /**
     * A job as {@code /api/jobs} shows it.
     *
     * @param id the job's id
     * @param state {@code running}; once every check is settled {@code cancelled} (some were cancelled),
     *              {@code failed} (some threw) or {@code done}
     * @param start the first number
     * @param total how many numbers
     * @param done checks that ran to the end (successfully or not)
     * @param failed checks that threw
     * @param cancelled checks cancelled before they started
     * @param primes primes found so far
     * @param progress the settled fraction, 0 to 1
     * @param createdAt when the job started
     * @param elapsedMillis time since the start, or until the end
     * @param error the first failure, if any
     */
    public record JobView(String id, String state, long start, int total, int done, int failed, int cancelled,
                          int primes, double progress, Instant createdAt, long elapsedMillis, String error) {
    }
}

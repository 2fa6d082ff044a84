package io.github.futures.sample;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the sample application ({@code sample.*}).
 */
@ConfigurationProperties("sample")
public class SampleProperties {

    /**
     * How long one "second" of the seed's sleep example really lasts. The Python original sleeps 3, then 2, 3
     * and 4 seconds; a quarter of a second keeps the demo short while the completion order stays the same.
     * Set it to 1s to wait as long as the original.
     */
    private Duration second = Duration.ofMillis(250);

    /** Number of finished jobs kept for {@code GET /api/jobs}; older finished jobs are forgotten. */
    private int jobHistory = 20;

    /**
     * Most jobs running or queued at once; {@code POST /api/jobs} answers 429 beyond. A job is up to 100 000
     * futures: three bound the pending futures (and their heap) to a few hundred thousand.
     */
    private int maxJobs = 3;

    /**
     * Longest time a request to an example waits for its calls. Past it the request is answered 504 and its
     * calls that have not started are cancelled. Below the graceful shutdown phase
     * ({@code spring.lifecycle.timeout-per-shutdown-phase}), so that every request in flight at shutdown is
     * answered before the server stops.
     */
    private Duration requestTimeout = Duration.ofSeconds(10);

    public Duration getSecond() {
        return second;
    }

    public void setSecond(Duration second) {
        if (second == null || second.isNegative() || second.isZero()) {
            throw new IllegalArgumentException("sample.second must be a positive duration such as 250ms or 1s, got " + second);
        }
        this.second = second;
    }

    public int getMaxJobs() {
        return maxJobs;
    }

    public void setMaxJobs(int maxJobs) {
        if (maxJobs < 1) {
            throw new IllegalArgumentException("sample.max-jobs must be 1 or more, got " + maxJobs);
        }
        this.maxJobs = maxJobs;
    }

    public Duration getRequestTimeout() {
        return requestTimeout;
    }

    public void setRequestTimeout(Duration requestTimeout) {
        if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("sample.request-timeout must be a positive duration such as 10s, got "
                    + requestTimeout);
        }
        this.requestTimeout = requestTimeout;
    }

    public int getJobHistory() {
        return jobHistory;
    }

    public void setJobHistory(int jobHistory) {
        if (jobHistory < 0) {
            throw new IllegalArgumentException("sample.job-history must be 0 or more, got " + jobHistory);
        }
        this.jobHistory = jobHistory;
    }
}

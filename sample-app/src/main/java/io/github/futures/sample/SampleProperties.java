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

    public Duration getSecond() {
        return second;
    }

    public void setSecond(Duration second) {
        if (second == null || second.isNegative() || second.isZero()) {
            throw new IllegalArgumentException("sample.second must be a positive duration such as 250ms or 1s, got " + second);
        }
        this.second = second;
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

package io.github.futures.sample;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * With {@code --demo}, runs the seed's two examples at start-up and prints what the Python originals print;
 * {@link SampleApplication#main} then closes the application.
 */
@Component
public class DemoRunner implements ApplicationRunner {

    private final SleepExample sleep;
    private final PrimeExample primes;
    private final SampleProperties properties;

    public DemoRunner(SleepExample sleep, PrimeExample primes, SampleProperties properties) {
        this.sleep = sleep;
        this.primes = primes;
        this.properties = properties;
    }

    @Override
    public void run(ApplicationArguments args) throws InterruptedException {
        if (!args.containsOption("demo")) {
            return;
        }
        System.out.println("== ThreadPoolExecutor: long_running_task (1 second = " + properties.getSecond().toMillis()
                + " ms) ==");
        sleep.runDemo(System.out);
        System.out.println("== ProcessPoolExecutor: is_prime ==");
        primes.runDemo(System.out);
        System.out.flush();
    }
}

package io.github.futures.sample;

import java.util.Arrays;
import java.util.Map;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * The sample application: the seed's examples on the starter's pools, over HTTP and on the command line,
 * batch jobs, metrics and a live dashboard at {@code /}.
 *
 * <p>{@code --demo} runs both examples at start-up without a web server, prints their output and exits.
 */
@SpringBootApplication
@EnableAsync
@EnableScheduling // the dashboard's history sampler
@EnableConfigurationProperties(SampleProperties.class)
public class SampleApplication {

    /** Printed once the web server listens; tests and scripts wait for this line. */
    static final String READY = "futures sample app ready at http://localhost:%d/";

    /** Printed once the management server listens (its own port, {@code management.server.port}). */
    static final String MANAGEMENT_READY = "futures sample app actuator at http://localhost:%d/actuator";

    /**
     * Starts the application; with {@code --demo}, runs the seed's examples, prints their output and exits.
     *
     * @param args Spring Boot arguments, e.g. {@code --server.port=9090}, {@code --demo}, {@code --sample.second=1s}
     */
    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(SampleApplication.class);
        if (Arrays.asList(args).contains("--demo")) {
            // The demo's output should read like the Python originals': no banner, no web server, few logs.
            app.setWebApplicationType(WebApplicationType.NONE);
            app.setBannerMode(Banner.Mode.OFF);
            app.setDefaultProperties(Map.of("logging.level.root", "warn"));
            ConfigurableApplicationContext context = app.run(args);
            System.exit(SpringApplication.exit(context));
        }
        app.run(args);
    }

    /** The ready lines: one for the application's server, one for the management server on its own port. */
    @Bean
    ApplicationListener<WebServerInitializedEvent> readyLine() {
        return event -> {
            boolean management = "management".equals(event.getApplicationContext().getServerNamespace());
            System.out.printf((management ? MANAGEMENT_READY : READY) + "%n", event.getWebServer().getPort());
        };
    }
}

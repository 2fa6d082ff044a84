package io.github.futures.autoconfigure.actuate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * With {@code futures.health.liveness=true}, puts the {@code futures} health contributor into Spring
 * Boot's {@code liveness} health group, so that a broken pool (which does not heal by itself) turns
 * {@code /actuator/health/liveness} DOWN and the platform restarts the application.
 *
 * <p>Boot's own mechanism for a group's members is the property
 * {@code management.endpoint.health.group.liveness.include}; when it is set, Boot's availability
 * probes leave that group as the application defines it. So this sets it: to
 * {@code livenessState,futures} when the application did not set it (only {@code futures} when the
 * probes are turned off, since {@code livenessState} then does not exist), or to the application's
 * list plus {@code futures}. It runs after the configuration files are read, and adds its value as a
 * property source of the highest precedence.
 *
 * @since 0.1.0
 */
public class FuturesLivenessEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    /** The property that lists the liveness group's members. */
    static final String INCLUDE = "management.endpoint.health.group.liveness.include";

    /** Name of the property source this adds. */
    static final String PROPERTY_SOURCE_NAME = "futuresHealthLiveness";

    private static final String CONTRIBUTOR = "futures";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Binder binder = Binder.get(environment);
        if (!binder.bind("futures.health.liveness", Boolean.class).orElse(false)
                || !binder.bind("futures.enabled", Boolean.class).orElse(true)
                || !binder.bind("management.health.futures.enabled", Boolean.class).orElse(true)) {
            return;
        }
        List<String> include = binder.bind(INCLUDE, Bindable.listOf(String.class)).orElse(null);
        List<String> members = new ArrayList<>();
        if (include == null) {
            if (binder.bind("management.endpoint.health.probes.enabled", Boolean.class).orElse(true)) {
                members.add("livenessState");
            }
        } else if (include.contains(CONTRIBUTOR) || include.contains("*")) {
            return;
        } else {
            members.addAll(include);
        }
        members.add(CONTRIBUTOR);
        environment.getPropertySources().addFirst(
                new MapPropertySource(PROPERTY_SOURCE_NAME, Map.of(INCLUDE, String.join(",", members))));
    }

    /**
     * After the configuration files are read.
     *
     * @return {@link ConfigDataEnvironmentPostProcessor#ORDER} + 1
     */
    @Override
    public int getOrder() {
        return ConfigDataEnvironmentPostProcessor.ORDER + 1;
    }
}

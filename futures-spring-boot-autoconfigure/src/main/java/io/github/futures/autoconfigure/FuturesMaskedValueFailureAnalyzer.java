package io.github.futures.autoconfigure;

import io.github.futures.spi.CommandLines;
import java.util.Collection;
import java.util.stream.Collectors;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Reports a bad {@code futures.*} value whose secrets the starter masked (a worker option or the list of them,
 * an environment variable for the workers) as Spring Boot reports a bad value, but with the value as the exception gives it:
 * Boot's own analyzer quotes the value from the property source again, secret included, and the report is
 * logged. Other failures are left to Boot's analyzer.
 */
class FuturesMaskedValueFailureAnalyzer extends AbstractFailureAnalyzer<InvalidConfigurationPropertyValueException>
        implements Ordered {

    private final Environment environment;

    FuturesMaskedValueFailureAnalyzer(Environment environment) {
        this.environment = environment;
    }

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidConfigurationPropertyValueException cause) {
        String value = masked(cause.getValue());
        if (!cause.getName().startsWith("futures.") || value == null) {
            return null;
        }
        StringBuilder description = new StringBuilder("Invalid value '").append(value)
                .append("' for configuration property '").append(cause.getName()).append("'");
        Object origin = origin(cause.getName());
        if (origin != null) {
            description.append(" (originating from '").append(origin).append("')");
        }
        description.append(". Validation failed for the following reason:\n\n").append(cause.getReason());
        return new FailureAnalysis(description.toString(), "Review the value of the property with the provided reason.",
                cause);
    }

    /** The value as the exception gives it, if the starter masked something in it (one value, or a list); else null. */
    private static String masked(Object value) {
        if (value instanceof String text) {
            return text.contains(CommandLines.MASK) ? text : null;
        }
        if (value instanceof Collection<?> items
                && items.stream().anyMatch(item -> String.valueOf(item).contains(CommandLines.MASK))) {
            return items.stream().map(String::valueOf).collect(Collectors.joining(","));
        }
        return null;
    }

    private Object origin(String name) {
        if (this.environment == null || !ConfigurationPropertyName.isValid(name)) {
            return null;
        }
        ConfigurationPropertyName property = ConfigurationPropertyName.of(name);
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(this.environment)) {
            ConfigurationProperty found = source.getConfigurationProperty(property);
            if (found != null) {
                return found.getOrigin();
            }
        }
        return null;
    }

    /** Before Spring Boot's analyzer of the same exception. */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}

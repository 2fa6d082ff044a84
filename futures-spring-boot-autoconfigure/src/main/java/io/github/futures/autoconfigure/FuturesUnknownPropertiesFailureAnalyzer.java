package io.github.futures.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a {@link FuturesUnknownPropertiesException} as Spring Boot reports a bad property value: each
 * unknown name with where it was set, and as the action, the closest valid names.
 */
class FuturesUnknownPropertiesFailureAnalyzer extends AbstractFailureAnalyzer<FuturesUnknownPropertiesException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, FuturesUnknownPropertiesException cause) {
        StringBuilder description = new StringBuilder("The futures starter does not know these properties:\n");
        StringBuilder action = new StringBuilder("Correct or remove them. The closest valid names:\n");
        for (FuturesPropertyNames.Unknown unknown : cause.unknown()) {
            description.append("\n    ").append(unknown.name());
            if (unknown.origin() != null) {
                description.append(" (originating from '").append(unknown.origin()).append("')");
            }
            action.append("\n    ").append(unknown.name()).append(": ").append(String.join(", ", unknown.closest()));
        }
        action.append("\n\nEvery futures property is listed, with its default, in the configuration metadata"
                + " (your IDE completes the names).");
        return new FailureAnalysis(description.toString(), action.toString(), cause);
    }
}

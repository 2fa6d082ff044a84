package io.github.futures.autoconfigure;

import io.github.futures.ProcessPoolExecutor;
import java.util.List;
import java.util.Objects;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;

/**
 * Starts every worker of the auto-configured process pools whose {@code prestart} is on, once every
 * singleton exists (at context refresh), with {@link ProcessPoolExecutor#prestartWorkers()}: the JVMs
 * start in parallel, each on a thread of its own, while the application goes on starting, so that the
 * first request does not pay for a JVM start.
 */
final class FuturesProcessPoolPrestart implements SmartInitializingSingleton {

    private static final Log logger = LogFactory.getLog(FuturesProcessPoolPrestart.class);

    private final ConfigurableListableBeanFactory beanFactory;

    private final List<String> poolNames;

    FuturesProcessPoolPrestart(ConfigurableListableBeanFactory beanFactory, List<String> poolNames) {
        this.beanFactory = Objects.requireNonNull(beanFactory, "beanFactory");
        this.poolNames = List.copyOf(poolNames);
    }

    /** The bean names of the default and named process pools whose {@code prestart} is on. */
    static List<String> poolsToPrestart(FuturesProperties properties) {
        return List.copyOf(FuturesProcessPoolStartupCheck.processPools(properties,
                FuturesProperties.ProcessOptions::isPrestart).keySet());
    }

    @Override
    public void afterSingletonsInstantiated() {
        for (String name : this.poolNames) {
            // A pool of the application's own (ours backed off) is not ours to start.
            if (this.beanFactory.containsSingleton(name)
                    && this.beanFactory.getSingleton(name) instanceof ProcessPoolExecutor pool) {
                int started = pool.prestartWorkers();
                if (logger.isDebugEnabled()) {
                    logger.debug("Prestarting " + started + " worker(s) of process pool '" + name + "'");
                }
            }
        }
    }
}

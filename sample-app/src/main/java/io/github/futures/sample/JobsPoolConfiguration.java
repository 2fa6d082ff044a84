package io.github.futures.sample;

import io.github.futures.ProcessPoolExecutor;
import io.github.futures.autoconfigure.ProcessPoolExecutorCustomizer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The jobs' process pool, bean {@value JobService#POOL}: batch work on workers of its own, apart from the
 * default pools that serve requests.
 *
 * <p>Declared as a bean rather than as the starter's named pool ({@code futures.executors.jobs.kind=process}):
 * named pools are registered with an instance-supplier lambda, which Spring AOT cannot generate code for, and
 * this application is AOT-processed. Like a named pool it is qualified by its name and not a default
 * candidate: a plain {@code ProcessPoolExecutor} injection still gets the default pool, and the starter's
 * {@code @ConditionalOnMissingBean} does not see it. The endpoint and the meters list it as any pool.
 * {@link JobService} cancels every job first thing at shutdown, so nothing is left waiting in it;
 * {@code close()} then waits for the last running call when the context is destroyed.
 */
@Configuration(proxyBeanMethods = false)
class JobsPoolConfiguration {

    @Bean(name = JobService.POOL, defaultCandidate = false)
    @Qualifier(JobService.POOL)
    ProcessPoolExecutor jobs(SampleProperties properties, ObjectProvider<ProcessPoolExecutorCustomizer> customizers) {
        ProcessPoolExecutor.Builder builder = ProcessPoolExecutor.builder().maxWorkers(properties.getJobWorkers());
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        return builder.build();
    }
}

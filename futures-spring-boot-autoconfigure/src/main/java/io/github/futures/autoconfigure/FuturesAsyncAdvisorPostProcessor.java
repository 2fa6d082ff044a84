package io.github.futures.autoconfigure;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.springframework.aop.Advisor;
import org.springframework.aop.TargetSource;
import org.springframework.aop.framework.Advised;
import org.springframework.aop.support.DefaultPointcutAdvisor;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.scheduling.annotation.AsyncAnnotationAdvisor;
import org.springframework.scheduling.annotation.AsyncConfigurer;
import org.springframework.scheduling.annotation.ProxyAsyncConfiguration;
import org.springframework.util.function.SingletonSupplier;

/**
 * Puts {@link FuturesAsyncExecutionInterceptor} in place of Spring's own {@code @Async} interceptor,
 * so that {@code @Async("<name>")} on a futures thread pool behaves as the unqualified
 * {@code @Async}.
 *
 * <p>Spring's {@code AsyncAnnotationBeanPostProcessor} (from {@code @EnableAsync}) proxies each bean
 * with an {@code @Async} method, or adds its {@link AsyncAnnotationAdvisor} to the bean's existing
 * proxy. This post-processor runs after it (it is not {@code Ordered}, so it is among the last) and,
 * in each such proxy, replaces that advisor with one that has the same pointcut and order but our
 * interceptor. The interceptor gets the executor and exception handler the way
 * {@code @EnableAsync} gives them to Spring's: from the single {@link AsyncConfigurer} bean, if there
 * is one; failing that, Spring's defaults. One replacement is built per original advisor and shared
 * by every proxy.
 *
 * <p>Only with {@code @EnableAsync} in proxy mode (its default) are advisors replaced: without it,
 * or with {@code mode = ASPECTJ}, nothing is changed, and an {@code AsyncAnnotationBeanPostProcessor}
 * declared by other means (such as XML's {@code <task:annotation-driven>}, with an executor of its
 * own) keeps its advisor. Subclasses of the advisor and frozen proxies are left alone too. A proxy
 * around another proxy (with a fixed target) is looked through.
 */
final class FuturesAsyncAdvisorPostProcessor implements BeanPostProcessor {

    /** How many proxies around one another are looked through; more than two is already unusual. */
    private static final int MAX_NESTED_PROXIES = 8;

    private final ListableBeanFactory beanFactory;

    /** The single {@link AsyncConfigurer} or {@code null}, resolved on first use, as {@code @EnableAsync} does. */
    private final SingletonSupplier<AsyncConfigurer> configurer;

    /** Spring's advisor to ours; guarded by its own lock (a synchronized map). */
    private final Map<Advisor, Advisor> replacements = Collections.synchronizedMap(new IdentityHashMap<>());

    /** Whether {@code @EnableAsync} is used in proxy mode; {@code null} until first needed. */
    private volatile Boolean proxyAsync;

    FuturesAsyncAdvisorPostProcessor(ListableBeanFactory beanFactory, ObjectProvider<AsyncConfigurer> configurers) {
        this.beanFactory = beanFactory;
        this.configurer = SingletonSupplier.ofNullable(() -> {
            List<AsyncConfigurer> candidates = configurers.stream().toList();
            if (candidates.size() > 1) {
                throw new IllegalStateException("Only one AsyncConfigurer may exist");
            }
            return candidates.isEmpty() ? null : candidates.get(0);
        });
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        // A proxy may wrap another (an auto-proxy creator ordered after Spring's post-processor proxies
        // its proxy again): look through fixed targets, a few levels deep at most.
        Object proxy = bean;
        for (int depth = 0; depth < MAX_NESTED_PROXIES && proxy instanceof Advised advised; depth++) {
            if (!advised.isFrozen()) {
                replaceAsyncAdvisors(advised);
            }
            TargetSource targetSource = advised.getTargetSource();
            if (!targetSource.isStatic()) {
                break;
            }
            try {
                proxy = targetSource.getTarget();
            } catch (Exception e) {
                break; // a static target source does not fail; if one does, there is nothing below to see
            }
        }
        return bean;
    }

    private void replaceAsyncAdvisors(Advised advised) {
        for (Advisor advisor : advised.getAdvisors()) {
            // Exactly Spring's class: a subclass may build an advice of its own, which must stay.
            if (advisor.getClass() == AsyncAnnotationAdvisor.class && proxyAsync()) {
                Advisor ours = this.replacements.computeIfAbsent(advisor,
                        original -> replacement((AsyncAnnotationAdvisor) original));
                advised.replaceAdvisor(advisor, ours);
            }
        }
    }

    /**
     * {@code @EnableAsync(mode = PROXY)} imports {@link ProxyAsyncConfiguration}, whose post-processor
     * takes its executor and handler from the {@link AsyncConfigurer}. Only then are the suppliers
     * given to our interceptor the same as those Spring's interceptor has.
     */
    private boolean proxyAsync() {
        Boolean proxy = this.proxyAsync;
        if (proxy == null) {
            proxy = this.beanFactory.getBeanNamesForType(ProxyAsyncConfiguration.class, false, false).length > 0;
            this.proxyAsync = proxy;
        }
        return proxy;
    }

    private Advisor replacement(AsyncAnnotationAdvisor original) {
        FuturesAsyncExecutionInterceptor interceptor = new FuturesAsyncExecutionInterceptor();
        interceptor.configure(fromConfigurer(AsyncConfigurer::getAsyncExecutor),
                fromConfigurer(AsyncConfigurer::getAsyncUncaughtExceptionHandler));
        interceptor.setBeanFactory(this.beanFactory);
        DefaultPointcutAdvisor advisor = new DefaultPointcutAdvisor(original.getPointcut(), interceptor);
        advisor.setOrder(original.getOrder());
        return advisor;
    }

    /** A supplier of one of the configurer's values; {@code null} (Spring's default then) without a configurer. */
    private <T> Supplier<T> fromConfigurer(Function<AsyncConfigurer, T> value) {
        return () -> {
            AsyncConfigurer configurer = this.configurer.get();
            return configurer != null ? value.apply(configurer) : null;
        };
    }
}

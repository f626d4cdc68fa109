package dev.probekit.spring;

import dev.probekit.core.lifecycle.DrainParticipant;
import dev.probekit.core.lifecycle.Lifecycle;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.scheduling.concurrent.ExecutorConfigurationSupport;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * Makes the application's {@link ThreadPoolTaskExecutor} and {@link ThreadPoolTaskScheduler} beans
 * (those behind {@code @Async} and {@code @Scheduled} included) drain participants, named after
 * their beans; {@code probekit.shutdown.drain-exclude} lists beans that stay out.
 *
 * <p>Order on context close: Spring would stop such a pool accepting at the {@code
 * ContextClosedEvent}, before the pre-stop delay, so a request served during the delay could not
 * submit a task. A joined pool is set to accept tasks after that event; it stops accepting at the
 * Probekit drain phase, after the web server's graceful shutdown (no request can submit a task any
 * more), together with every other participant, and its queued and running tasks finish within the
 * drain timeout. Its own destruction ({@code spring.task.*.shutdown.await-termination}) comes after,
 * with nothing left to wait for.
 */
@AutoConfiguration(after = ProbekitAutoConfiguration.class)
@ConditionalOnClass(ThreadPoolTaskExecutor.class)
@ConditionalOnBooleanProperty(name = "probekit.shutdown.enabled", matchIfMissing = true)
public class ProbekitTaskDrainAutoConfiguration {

  static final String EXCLUDE_PROPERTY = "probekit.shutdown.drain-exclude";

  /** Keeps joined pools accepting tasks after the context-closed event, until the drain. */
  @Bean
  static BeanPostProcessor probekitTaskDrainPostProcessor(Environment environment) {
    List<String> excluded = excluded(environment);
    return new BeanPostProcessor() {
      @Override
      public Object postProcessBeforeInitialization(Object bean, String beanName) {
        if (joins(bean) && !excluded.contains(beanName)) {
          ((ExecutorConfigurationSupport) bean).setAcceptTasksAfterContextClose(true);
        }
        return bean;
      }
    };
  }

  /** Registers every joined pool with the lifecycle once all singletons exist. */
  @Bean
  SmartInitializingSingleton probekitTaskDrainRegistrar(
      ListableBeanFactory beans, ObjectProvider<Lifecycle> lifecycles, Environment environment) {
    return () -> {
      Lifecycle lifecycle = lifecycles.getIfAvailable();
      if (lifecycle == null) {
        return;
      }
      List<String> excluded = excluded(environment);
      Map<String, ThreadPoolTaskExecutor> executors = beans.getBeansOfType(ThreadPoolTaskExecutor.class, false, false);
      executors.forEach(
          (name, executor) -> {
            if (!excluded.contains(name)) {
              lifecycle.addDrainParticipant(DrainParticipant.threadPool(name, executor.getThreadPoolExecutor()));
            }
          });
      Map<String, ThreadPoolTaskScheduler> schedulers = beans.getBeansOfType(ThreadPoolTaskScheduler.class, false, false);
      schedulers.forEach(
          (name, scheduler) -> {
            if (!excluded.contains(name)) {
              lifecycle.addDrainParticipant(
                  DrainParticipant.scheduler(name, scheduler.getScheduledThreadPoolExecutor()));
            }
          });
    };
  }

  private static boolean joins(Object bean) {
    return bean instanceof ThreadPoolTaskExecutor || bean instanceof ThreadPoolTaskScheduler;
  }

  private static List<String> excluded(Environment environment) {
    return Binder.get(environment).bind(EXCLUDE_PROPERTY, Bindable.listOf(String.class)).orElse(List.of());
  }
}

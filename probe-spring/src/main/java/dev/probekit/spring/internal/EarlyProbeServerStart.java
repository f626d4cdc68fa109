package dev.probekit.spring.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.config.InstantiationAwareBeanPostProcessor;

/**
 * Starts the built-in probe server before the first application bean is created, so that during
 * long start-up work (migrations, caches warming) {@code /livez} answers UP and {@code /startupz}
 * DOWN instead of the port being closed.
 *
 * <p>It is an unordered post-processor: every other post-processor (including configuration
 * properties binding) is registered by the time it first sees a bean, so the server and its
 * dependencies are created fully processed.
 */
public final class EarlyProbeServerStart
    implements InstantiationAwareBeanPostProcessor, BeanFactoryAware {

  private final String serverBeanName;
  private final AtomicBoolean triggered = new AtomicBoolean();
  private BeanFactory beanFactory;

  public EarlyProbeServerStart(String serverBeanName) {
    this.serverBeanName = serverBeanName;
  }

  @Override
  public void setBeanFactory(BeanFactory beanFactory) {
    this.beanFactory = beanFactory;
  }

  @Override
  public Object postProcessBeforeInstantiation(Class<?> beanClass, String beanName)
      throws BeansException {
    // Probekit's own beans (the server's dependencies) may be the first ones requested; starting
    // the server from inside their creation would be a cycle, so wait for any other bean.
    if (beanClass != null && beanClass.getName().startsWith("dev.probekit.")) {
      return null;
    }
    // Spring's infrastructure (such as the properties binder) may be needed by the server's own
    // dependencies: the same cycle.
    if (beanFactory instanceof ConfigurableListableBeanFactory bf) {
      if (bf.isCurrentlyInCreation(serverBeanName)) {
        return null;
      }
      if (bf.containsBeanDefinition(beanName)
          && bf.getBeanDefinition(beanName).getRole() == BeanDefinition.ROLE_INFRASTRUCTURE) {
        return null;
      }
    }
    // The flag is set before getBean: creating the server re-enters here for its dependencies.
    if (beanFactory != null && triggered.compareAndSet(false, true)) {
      beanFactory.getBean(serverBeanName);
    }
    return null;
  }
}

package dev.probekit.examples.spring;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.stereotype.Component;

/** The demo's "database": orders in memory, and a switch that takes it offline. */
@Component
public class OrderStore {

  private final List<String> orders = new CopyOnWriteArrayList<>(List.of("order-1", "order-2"));
  private final AtomicBoolean online = new AtomicBoolean(true);

  /** The orders; throws when the store is offline. */
  public List<String> orders() {
    if (!online.get()) {
      throw new IllegalStateException("order store offline");
    }
    return List.copyOf(orders);
  }

  /** Whether the store answers. */
  public boolean isOnline() {
    return online.get();
  }

  /** Takes the store offline ({@code false}) or back online. */
  public void setOnline(boolean online) {
    this.online.set(online);
  }
}

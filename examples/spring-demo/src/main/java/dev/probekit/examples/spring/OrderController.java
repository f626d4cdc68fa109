package dev.probekit.examples.spring;

import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The application's own endpoints, under the context path: {@code /shop/orders}, {@code /shop/work}. */
@RestController
public class OrderController {

  private final OrderStore store;

  OrderController(OrderStore store) {
    this.store = store;
  }

  /** The orders. */
  @GetMapping("/orders")
  public List<String> orders() {
    return store.orders();
  }

  /** A slow request, to watch a drain wait for it: {@code /shop/work?ms=3000}. */
  @GetMapping("/work")
  public String work(@RequestParam(defaultValue = "100") long ms) throws InterruptedException {
    Thread.sleep(Math.min(ms, 60_000)); // the request's own work, as a slow query would be
    return "worked " + ms + "ms";
  }

  /** Takes the order store offline or online, to watch /readyz follow: {@code POST /shop/store?online=false}. */
  @PostMapping("/store")
  public String store(@RequestParam boolean online) {
    store.setOnline(online);
    return "store online=" + online;
  }
}

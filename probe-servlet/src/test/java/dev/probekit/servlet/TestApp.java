package dev.probekit.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The application under test: fast, slow, asynchronous and failing servlets. Slow ones hold until
 * the test opens {@link #gate} (at most 15 s), so a test decides exactly when they finish.
 */
final class TestApp implements AutoCloseable {
  final CountDownLatch gate = new CountDownLatch(1);
  private final ExecutorService async =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "test-app-async");
            t.setDaemon(true);
            return t;
          });

  void register(ServletContext context) {
    add(context, "hello", "/hello", new Hello());
    add(context, "slow", "/slow", new Slow());
    add(context, "slow-buffered", "/slow-buffered", new SlowBuffered());
    add(context, "async", "/async", new Async());
    add(context, "boom", "/boom", new Boom());
    add(context, "checked-boom", "/checked-boom", new CheckedBoom());
    add(context, "async-timeout", "/async-timeout", new AsyncTimeout());
    add(context, "async-boom", "/async-boom", new AsyncBoom());
    add(context, "async-twice", "/async-twice", new AsyncTwice());
  }

  private static void add(ServletContext context, String name, String path, HttpServlet servlet) {
    ServletRegistration.Dynamic registration = context.addServlet(name, servlet);
    registration.setAsyncSupported(true);
    registration.addMapping(path);
  }

  static void write(HttpServletResponse response, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    response.setContentType("text/plain;charset=utf-8");
    response.setContentLength(bytes.length);
    response.getOutputStream().write(bytes);
  }

  private void awaitGate() {
    try {
      if (!gate.await(15, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never opened the gate");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while held", e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    gate.countDown();
    async.shutdown();
    // Before the container stops, so no application thread outlives its webapp.
    if (!async.awaitTermination(5, TimeUnit.SECONDS)) {
      async.shutdownNow();
    }
  }

  private static final class Hello extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      write(response, "hello");
    }
  }

  private final class Slow extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      awaitGate();
      write(response, "slow done");
    }
  }

  /** Like {@link Slow}, but leaves its body in the buffer: uncommitted when it returns. */
  private final class SlowBuffered extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      awaitGate();
      response.setContentType("text/plain;charset=utf-8");
      response.getWriter().write("slow buffered done");
    }
  }

  private final class Async extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) {
      AsyncContext context = request.startAsync();
      context.setTimeout(20_000);
      async.execute(
          () -> {
            try {
              awaitGate();
              write((HttpServletResponse) context.getResponse(), "async done");
            } catch (IOException | RuntimeException e) {
              throw new IllegalStateException(e);
            } finally {
              context.complete();
            }
          });
    }
  }

  private static final class Boom extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) {
      throw new IllegalStateException("boom from the application");
    }
  }

  private static final class CheckedBoom extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws ServletException {
      throw new ServletException("checked boom from the application");
    }
  }

  /** Goes asynchronous and never completes: the container times it out. */
  private static final class AsyncTimeout extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) {
      request.startAsync().setTimeout(200);
    }
  }

  /** Goes asynchronous, then dispatches to a servlet that throws: the container reports an error. */
  private static final class AsyncBoom extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) {
      request.startAsync().dispatch("/boom");
    }
  }

  /** Goes asynchronous twice: dispatches back to itself, then completes from another thread. */
  private final class AsyncTwice extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) {
      if (request.getDispatcherType() == DispatcherType.REQUEST) {
        request.startAsync().dispatch();
        return;
      }
      AsyncContext context = request.startAsync();
      async.execute(
          () -> {
            try {
              write((HttpServletResponse) context.getResponse(), "twice done");
            } catch (IOException e) {
              throw new IllegalStateException(e);
            } finally {
              context.complete();
            }
          });
    }
  }
}

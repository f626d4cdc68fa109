package dev.probekit.it.hostile;

import dev.probekit.core.CheckOptions;
import dev.probekit.core.CheckResult;
import dev.probekit.core.HealthRegistry;
import dev.probekit.core.Probe;
import dev.probekit.core.ProbeEndpoints;
import dev.probekit.core.server.ProbeServer;
import dev.probekit.netty.NettyProbeServer;
import dev.probekit.netty.ProbeHandler;
import dev.probekit.spring.ProbekitAutoConfiguration;
import dev.probekit.spring.ProbekitCheck;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.valves.ErrorReportValve;
import org.eclipse.jetty.ee11.servlet.ServletContextHandler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * Every server Probekit ships, configured as docs/hostile-clients.md recommends for a port the whole cluster
 * can reach, on 127.0.0.1 and a free port, serving {@link HostileHealth}. Used in-process by the
 * suite and in a child JVM by {@link HostileServerMain}.
 */
enum Target {
  /** The built-in {@link ProbeServer}, defaults. */
  BUILT_IN {
    @Override
    Running start() {
      HealthRegistry health = HostileHealth.create();
      ProbeServer server =
          ProbeServer.builder(ProbeEndpoints.of(health))
              .bindAddress(InetAddress.getLoopbackAddress())
              .port(0)
              .start();
      return running(server.port(), server::close, health::close);
    }
  },

  /** {@link NettyProbeServer}, defaults. */
  NETTY_PROBE_SERVER {
    @Override
    Running start() {
      HealthRegistry health = HostileHealth.create();
      NettyProbeServer server =
          NettyProbeServer.builder(ProbeEndpoints.of(health))
              .bindAddress(InetAddress.getLoopbackAddress())
              .port(0)
              .start();
      return running(server.port(), server::close, health::close);
    }
  },

  /**
   * {@link ProbeHandler} in an application's Netty pipeline, with what docs/netty.md asks an
   * application on a public port to add: an idle handler that closes, the codec's size limits, a
   * write buffer water mark and a fixed send buffer. The application answers everything else with 404.
   */
  NETTY_PIPELINE {
    @Override
    Running start() {
      HealthRegistry health = HostileHealth.create();
      ProbeEndpoints endpoints = ProbeEndpoints.of(health);
      EventLoopGroup group =
          new MultiThreadIoEventLoopGroup(
              2, new DefaultThreadFactory("app-loop", true), NioIoHandler.newFactory());
      Channel channel =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childOption(
                  ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 << 10, 64 << 10))
              .childOption(ChannelOption.SO_SNDBUF, 64 << 10)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline()
                          .addLast(new IdleStateHandler(0, 0, 10, TimeUnit.SECONDS))
                          .addLast(new CloseOnIdle())
                          .addLast(
                              new HttpServerCodec(
                                  new HttpDecoderConfig()
                                      .setMaxInitialLineLength(8192)
                                      .setMaxHeaderSize(8192)))
                          .addLast(ProbeHandler.of(endpoints))
                          .addLast(new NotFoundApp());
                    }
                  })
              .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
              .syncUninterruptibly()
              .channel();
      return running(
          ((InetSocketAddress) channel.localAddress()).getPort(),
          () -> {
            channel.close().syncUninterruptibly();
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
          },
          health::close);
    }
  },

  /** {@code ProbeServlet} on embedded Jetty 12.1 (ee11), idle timeout as docs/hostile-clients.md says. */
  JETTY {
    @Override
    Running start() throws Exception {
      HealthRegistry health = HostileHealth.create();
      Server server = new Server();
      HttpConfiguration http = new HttpConfiguration();
      http.setRequestHeaderSize(8192);
      http.setSendServerVersion(false);
      ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
      connector.setHost("127.0.0.1");
      connector.setPort(0);
      connector.setIdleTimeout(10_000);
      server.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler("/");
      // Otherwise a request target without a path ("GET ?x") is redirected (301) to the context
      // root by Jetty itself; probes must never see a redirect.
      context.setAllowNullPathInContext(true);
      context.addServletContainerInitializer(HostileHealth.servlets(health));
      server.setHandler(context);
      server.start();
      return running(connector.getLocalPort(), server::stop, health::close);
    }
  },

  /**
   * {@code ProbeServlet} on embedded Tomcat 11, with the connector's timeouts as docs/hostile-clients.md says
   * and the error report hardened as Tomcat's security guide advises.
   */
  TOMCAT {
    @Override
    Running start() throws Exception {
      HealthRegistry health = HostileHealth.create();
      Path baseDir = Files.createTempDirectory("probekit-hostile-tomcat");
      Tomcat tomcat = new Tomcat();
      tomcat.setBaseDir(baseDir.toString());
      tomcat.setPort(0);
      tomcat.getConnector().setProperty("address", "127.0.0.1");
      tomcat.getConnector().setProperty("connectionTimeout", "5000");
      tomcat.getConnector().setProperty("keepAliveTimeout", "10000");
      tomcat.getConnector().setProperty("maxHttpHeaderSize", "8192");
      // The host adds its own default ErrorReportValve only when none is in its pipeline.
      ErrorReportValve errors = new ErrorReportValve();
      errors.setShowReport(false);
      errors.setShowServerInfo(false);
      tomcat.getHost().getPipeline().addValve(errors);
      Context context = tomcat.addContext("", null);
      context.addServletContainerInitializer(HostileHealth.servlets(health), null);
      tomcat.start();
      return running(
          tomcat.getConnector().getLocalPort(),
          () -> {
            tomcat.stop();
            tomcat.destroy();
            try (Stream<Path> files = Files.walk(baseDir)) {
              files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
          },
          health::close);
    }
  },

  /** The Spring Boot starter's separate probe port ({@code probekit.server.port}). */
  SPRING_PROBE_PORT {
    @Override
    Running start() {
      ConfigurableApplicationContext context = spring();
      ProbeServer server =
          context.getBean(ProbekitAutoConfiguration.PROBE_SERVER_BEAN, ProbeServer.class);
      return running(server.port(), context::close, () -> {});
    }
  },

  /** The Spring Boot starter on the application's main port (embedded Tomcat 11). */
  SPRING_MAIN_PORT {
    @Override
    Running start() {
      ConfigurableApplicationContext context = spring();
      int port = ((WebServerApplicationContext) context).getWebServer().getPort();
      return running(port, context::close, () -> {});
    }
  };

  /** Starts the server; close the result to stop it. */
  abstract Running start() throws Exception;

  /** A started server. */
  interface Running extends AutoCloseable {
    InetSocketAddress address();

    @Override
    void close() throws Exception;
  }

  /** Something to run on close. */
  interface Stop {
    void run() throws Exception;
  }

  private static Running running(int port, Stop server, Stop health) {
    InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    return new Running() {
      @Override
      public InetSocketAddress address() {
        return address;
      }

      @Override
      public void close() throws Exception {
        server.run();
        health.run();
      }
    };
  }

  /** The Spring Boot app, with Tomcat's timeouts as docs/hostile-clients.md says. */
  private static ConfigurableApplicationContext spring() {
    return new SpringApplicationBuilder(SpringApp.class)
        .web(WebApplicationType.SERVLET)
        .properties(
            "server.port=0",
            "server.address=127.0.0.1",
            "server.tomcat.connection-timeout=5s",
            "server.tomcat.keep-alive-timeout=10s",
            "server.max-http-request-header-size=8KB",
            "probekit.main-port=true",
            "probekit.server.port=0",
            "probekit.server.address=127.0.0.1",
            "spring.main.banner-mode=off",
            "probekit.shutdown.pre-stop-delay=0s")
        .run();
  }

  /** The Spring Boot application: the same checks as {@link HostileHealth}. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class SpringApp {
    @Bean
    ProbekitCheck ping() {
      return ProbekitCheck.of(
          "ping", CheckResult::up, CheckOptions.of(Probe.LIVENESS, Probe.READINESS));
    }

    @Bean
    ProbekitCheck db() {
      return ProbekitCheck.of(
          "db", () -> CheckResult.down("password=secret refused"), CheckOptions.of(Probe.READINESS));
    }
  }

  /** Closes a connection on the idle handler's event, as docs/netty.md shows. */
  static final class CloseOnIdle extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent) {
        ctx.close();
      } else {
        ctx.fireUserEventTriggered(evt);
      }
    }
  }

  /** The application: 404 for everything that is not a probe, 4xx for undecodable requests. */
  static final class NotFoundApp extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (!(msg instanceof HttpRequest)) {
          return;
        }
        HttpRequest request = (HttpRequest) msg;
        HttpResponseStatus status = HttpResponseStatus.NOT_FOUND;
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (request.decoderResult().isFailure()) {
          Throwable cause = request.decoderResult().cause();
          status =
              cause instanceof TooLongHttpLineException
                  ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                  : cause instanceof TooLongHttpHeaderException
                      ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                      : HttpResponseStatus.BAD_REQUEST;
          keepAlive = false;
        }
        byte[] body = status.reasonPhrase().toLowerCase().getBytes(StandardCharsets.US_ASCII);
        FullHttpResponse response =
            new DefaultFullHttpResponse(
                request.protocolVersion(), status, Unpooled.wrappedBuffer(body));
        response.headers().set("Content-Type", "text/plain; charset=utf-8");
        response.headers().setInt("Content-Length", body.length);
        if (!keepAlive) {
          response.headers().set("Connection", "close");
          ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else {
          ctx.writeAndFlush(response);
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}

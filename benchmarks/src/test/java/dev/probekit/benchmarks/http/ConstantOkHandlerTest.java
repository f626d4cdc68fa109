package dev.probekit.benchmarks.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The benchmark baseline answers like an UP probe, and nothing more. */
class ConstantOkHandlerTest {
  private static final String HEAD =
      "HTTP/1.1 200 OK\r\n"
          + "Content-Type: text/plain; charset=utf-8\r\n"
          + "Cache-Control: no-store\r\n"
          + "X-Content-Type-Options: nosniff\r\n"
          + "Content-Length: 2\r\n";

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

  @AfterEach
  void stop() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  @Test
  void answersOkWithTheProbeHeadersOnPipelinedKeptAliveConnectionsAndClosesWhenAsked()
      throws Exception {
    ConstantOkHandler handler = new ConstantOkHandler(); // shared by every channel
    Channel server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new HttpServerCodec(), handler);
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
    int port = ((InetSocketAddress) server.localAddress()).getPort();

    String answers;
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      // Four requests at once: a GET, a POST with a body (dropped), a HEAD, and a last GET asking
      // for the connection to close, so the stream ends after its answer.
      out.write(
          ("GET /anything HTTP/1.1\r\nHost: x\r\n\r\n"
                  + "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                  + "HEAD /y HTTP/1.1\r\nHost: x\r\n\r\n"
                  + "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      answers = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    } finally {
      server.close().sync();
    }

    assertEquals(
        HEAD + "\r\nok" + HEAD + "\r\nok" + HEAD + "\r\n" + HEAD + "Connection: close\r\n\r\nok",
        answers);
  }
}

package dev.probekit.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The benchmark baseline answers like an UP probe, and nothing more. */
@ExtendWith(LeakCheck.class)
class ConstantOkHandlerTest {
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

  @AfterEach
  void stop() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  @Test
  void answersOkWithTheProbeHeadersOnKeptAliveAndPipelinedConnections() throws Exception {
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

    try (RawHttp raw = new RawHttp(port)) {
      raw.send(
          RawHttp.get("/anything")
              + RawHttp.request("POST", "/x", "Content-Length: 3\r\n")
              + "abc"
              + RawHttp.request("HEAD", "/y", ""));
      RawHttp.Response first = raw.read();
      RawHttp.Response second = raw.read();
      RawHttp.Response head = raw.read(true);

      assertThat(first.status).isEqualTo(200);
      assertThat(first.body).isEqualTo("ok");
      assertThat(first.header("Content-Type")).isEqualTo("text/plain; charset=utf-8");
      assertThat(first.header("Cache-Control")).isEqualTo("no-store");
      assertThat(first.header("X-Content-Type-Options")).isEqualTo("nosniff");
      assertThat(second.body).isEqualTo("ok");
      assertThat(head.header("Content-Length")).isEqualTo("2");
      assertThat(raw.send(RawHttp.get("/again")).read().body).isEqualTo("ok");
    }
    try (RawHttp raw = new RawHttp(port)) {
      assertThat(raw.send(RawHttp.request("GET", "/", "Connection: close\r\n")).read().body)
          .isEqualTo("ok");
      assertThat(raw.closedByServer()).isTrue();
    }
    server.close().sync();
  }
}

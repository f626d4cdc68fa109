package dev.probekit.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SecretsTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "Connection refused | Connection refused",
        "jdbc:pg://h/db?user=a&password=x1 | jdbc:pg://h/db?user=a&password=****",
        "jdbc:sqlserver://h;user=a;password=x1;db=b | jdbc:sqlserver://h;user=a;password=****;db=b",
        "PWD = x1 and token: abc | PWD = **** and token: ****",
        "apiKey=k1, api_key=k2 | apiKey=****, api_key=****",
        "http://user:pw@host/x | http://****@host/x",
        "mongodb://user:pw@host1,host2/db | mongodb://****@host1,host2/db",
        "the password is wrong | the password is wrong",
      })
  void masksKeyValueSecretsAndUserInfo(String text, String expected) {
    assertThat(Secrets.redact(text)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "login failed for tiger | tiger | login failed for ****",
        "nothing to hide | tiger | nothing to hide",
        "empty secret is ignored | '' | empty secret is ignored",
      })
  void masksGivenSecretsLiterally(String text, String secret, String expected) {
    assertThat(Secrets.redact(text, secret, null)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "jdbc:postgresql://db:5432/app?password=x | jdbc:postgresql",
        "jdbc:oracle:thin:scott/tiger@host:1521:orcl | jdbc:oracle",
        "jdbc:h2:mem:test;PASSWORD=x | jdbc:h2",
        "JDBC:MySQL://h/db | JDBC:MySQL",
        "jdbc: | jdbc",
        "postgres://h/db | jdbc",
      })
  void showsOnlyTheJdbcSubprotocol(String url, String expected) {
    assertThat(Secrets.jdbcPrefix(url)).isEqualTo(expected);
  }
}

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
        "jdbc:postgresql://db/app?password=hunter2&user=app | jdbc:postgresql://db/app?password=****&user=app",
        "jdbc:postgresql://db/app?user=app&sslpassword=hunter2 | jdbc:postgresql://db/app?user=app&sslpassword=****",
        "jdbc:mysql://app:hunter2@db:3306/app | jdbc:mysql://****@db:3306/app",
        "jdbc:mariadb://app:hunter2@db/app | jdbc:mariadb://****@db/app",
        "jdbc:oracle:thin:scott/tiger@db:1521/app | jdbc:oracle:thin:****@db:1521/app",
        "jdbc:oracle:thin:scott/tiger@//db:1521/svc | jdbc:oracle:thin:****@//db:1521/svc",
        "jdbc:oracle:thin:@//db:1521/svc | jdbc:oracle:thin:@//db:1521/svc",
        "jdbc:sqlserver://db;user=app;password={a;b};encrypt=true | jdbc:sqlserver://db;user=app;password=****;encrypt=true",
        "jdbc:h2:tcp://h/mem:x;USER=sa;PASSWORD=hunter2 | jdbc:h2:tcp://h/mem:x;USER=sa;PASSWORD=****",
        "https://user:p@ss@api/x | https://****@api/x",
        "https://ghp_token123@github.com/x | https://****@github.com/x",
        "https://api/x?token=t1&access_token=t2&api_key=t3&apikey=t4 | https://api/x?token=****&access_token=****&api_key=****&apikey=****",
        "https://api/x?client_secret=t1&X-Amz-Signature=t2&sig=t3&key=t4 | https://api/x?client_secret=****&X-Amz-Signature=****&sig=****&key=****",
        "{\"password\": \"hunter2\"} | {\"password\": ****}",
        "pwd=\"hunter 2\" | pwd=****",
        "Authorization: Bearer eyJhbGci.eyJzdWIi.sig | Authorization: Bearer ****",
        "basic authentication failed | basic authentication failed",
        "Basic dXNlcjpwdw== | Basic ****",
        "a primary key=5 violated | a primary key=5 violated",
      })
  void masksKeyValueSecretsAndUserInfo(String text, String expected) {
    assertThat(Secrets.redact(text)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "jdbc:postgresql://db:5432/app?user=app&password=hunter2 | jdbc:postgresql://db:5432/app",
        "jdbc:oracle:thin:scott/tiger@db:1521/app | jdbc:oracle:thin:****@db:1521/app",
        "jdbc:h2:tcp://h/mem:x;PASSWORD=hunter2 | jdbc:h2:tcp://h/mem:x",
        "jdbc:mysql://app:hunter2@db/app | jdbc:mysql://****@db/app",
      })
  void showsJdbcUrlsWithoutPropertiesOrCredentials(String url, String expected) {
    assertThat(Secrets.jdbcUrl(url)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({
    "password, true", "sslPassword, true", "PWD, true", "client_secret, true", "apiToken, true",
    "api-key, true", "X-Amz-Signature, true", "credentials, true",
    "latencyMs, false", "statusCode, false", "path, false", "key, false",
  })
  void recognisesKeysThatNameSecrets(String key, boolean secret) {
    assertThat(Secrets.isSecretKey(key)).isEqualTo(secret);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "password=x1 and //u:p@h | tiger",
        "Bearer abc.def | tiger",
      })
  void maskingTwiceChangesNothing(String text, String secret) {
    String once = Secrets.redact(text, secret);
    assertThat(Secrets.redact(once, secret)).isEqualTo(once);
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

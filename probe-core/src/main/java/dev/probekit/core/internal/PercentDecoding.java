package dev.probekit.core.internal;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict percent-decoding of URI components: malformed escapes and invalid UTF-8 are errors. */
public final class PercentDecoding {
  private PercentDecoding() {}

  /**
   * Decodes {@code %XX} escapes (and {@code +} as a space when {@code plusIsSpace}) as UTF-8.
   *
   * @throws IllegalArgumentException on a truncated or non-hex escape, or bytes that are not UTF-8
   */
  public static String decode(String raw, boolean plusIsSpace) {
    if (raw.indexOf('%') < 0 && (!plusIsSpace || raw.indexOf('+') < 0)) {
      return raw;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        if (i + 2 >= raw.length()) {
          throw new IllegalArgumentException("truncated percent escape");
        }
        int hi = hexDigit(raw.charAt(i + 1));
        int lo = hexDigit(raw.charAt(i + 2));
        if (hi < 0 || lo < 0) {
          throw new IllegalArgumentException("invalid percent escape");
        }
        bytes.write((hi << 4) | lo);
        i += 2;
      } else if (c == '+' && plusIsSpace) {
        bytes.write(' ');
      } else if (c < 0x80) {
        bytes.write(c);
      } else {
        // Literal non-ASCII (some servers hand over decoded or raw UTF-8 text): re-encode whole
        // code points, so a surrogate pair stays one character instead of becoming two '?'.
        int codePoint = raw.codePointAt(i);
        if (Character.isSurrogate(c) && Character.charCount(codePoint) == 1) {
          throw new IllegalArgumentException("unpaired surrogate");
        }
        byte[] encoded = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8);
        bytes.write(encoded, 0, encoded.length);
        i += Character.charCount(codePoint) - 1;
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("percent escapes are not UTF-8", e);
    }
  }

  /** The value of an ASCII hex digit, or -1; Character.digit would also accept non-ASCII digits. */
  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }
}

package io.gatehouse.agent;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Single short WebSocket text frames (RFC 6455 §5.2), written and read by hand: once the agent has
 * relayed an upgrade, its stream carries the raw frames, and the test plays the browser.
 */
final class WebSocketFrames {
  private static final int FIN_TEXT = 0x81;
  private static final byte[] MASK = {0x12, 0x34, 0x56, 0x78};

  private WebSocketFrames() {}

  /** A final text frame of fewer than 126 bytes, masked as every client frame must be. */
  static byte[] maskedText(String text) {
    byte[] payload = text.getBytes(StandardCharsets.UTF_8);
    if (payload.length > 125) {
      throw new IllegalArgumentException("only short frames: " + payload.length + " bytes");
    }
    byte[] frame = new byte[2 + MASK.length + payload.length];
    frame[0] = (byte) FIN_TEXT;
    frame[1] = (byte) (0x80 | payload.length);
    System.arraycopy(MASK, 0, frame, 2, MASK.length);
    for (int i = 0; i < payload.length; i++) {
      frame[2 + MASK.length + i] = (byte) (payload[i] ^ MASK[i % MASK.length]);
    }
    return frame;
  }

  /** The text of a final, unmasked, short text frame, as a server sends it. */
  static String unmaskedText(byte[] frame) {
    if ((frame[0] & 0xff) != FIN_TEXT || (frame[1] & 0x80) != 0 || (frame[1] & 0x7f) > 125) {
      throw new IllegalArgumentException(
          "not a short unmasked text frame: " + Arrays.toString(Arrays.copyOf(frame, 2)));
    }
    int length = frame[1] & 0x7f;
    return new String(frame, 2, length, StandardCharsets.UTF_8);
  }
}

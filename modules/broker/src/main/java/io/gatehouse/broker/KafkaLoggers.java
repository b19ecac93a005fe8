package io.gatehouse.broker;

import ch.qos.logback.classic.Level;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Keeps the broker's loggers at WARN without shipping a logging configuration: when logback is the
 * SLF4J backend, each Kafka logger the application left without an explicit level is set to WARN. A
 * level set in the application's logback.xml always wins; other backends are left alone.
 */
final class KafkaLoggers {

  /** The logger roots Kafka's broker and clients write to. */
  static final List<String> NAMES = List.of("kafka", "org.apache.kafka", "state.change.logger");

  private static final String LOGBACK_CONTEXT = "ch.qos.logback.classic.LoggerContext";

  private KafkaLoggers() {}

  static void quietUnlessConfigured() {
    // Compare by name: logback is an optional dependency and may be missing at run time.
    if (LOGBACK_CONTEXT.equals(LoggerFactory.getILoggerFactory().getClass().getName())) {
      Logback.quiet();
    }
  }

  /** Touches logback types only when they are known to be present. */
  private static final class Logback {
    static void quiet() {
      for (String name : NAMES) {
        ch.qos.logback.classic.Logger logger =
            (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(name);
        if (logger.getLevel() == null) {
          logger.setLevel(Level.WARN);
        }
      }
    }
  }
}

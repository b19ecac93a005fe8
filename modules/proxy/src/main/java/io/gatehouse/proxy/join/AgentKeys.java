package io.gatehouse.proxy.join;

import io.gatehouse.events.TokenEvent;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.proxy.publish.EventPublisher;
import io.gatehouse.state.StateChange;
import io.gatehouse.state.StateStore;
import io.gatehouse.state.TableView;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;

/**
 * Which key each agent id joined with, from the {@code agent/<agentId>} records of {@code
 * gatehouse.tokens}: an id is bound to the first key it joined with, so a second agent presenting
 * the same id with another key is refused (a rejoin with the same key is not). Two joins of one id
 * racing on two proxies can both pass; the later binding wins. Thread-safe.
 */
public final class AgentKeys implements AutoCloseable {
  static final String PREFIX = "agent/";
  static final String TYPE = "agent";

  private final Map<String, String> pins = new ConcurrentHashMap<>();
  private final EventPublisher publisher;
  private final Clock clock;
  private final String writerId;
  private final TableView<TokenEvent> view;

  public AgentKeys(
      StateStore store,
      Flux<StateChange> changes,
      EventPublisher publisher,
      Clock clock,
      String writerId) {
    this.publisher = publisher;
    this.clock = clock;
    this.writerId = writerId;
    this.view =
        TableView.open(
            store,
            Topic.TOKENS,
            changes,
            // Every record decodes (the table is small); only bindings are kept.
            (key, value) -> EventCodec.TOKEN_EVENT.decode(value),
            TableView.Listener.of(
                (key, event) -> {
                  if (key.startsWith(PREFIX) && event.getKeyPin() != null) {
                    pins.put(key.substring(PREFIX.length()), event.getKeyPin());
                  }
                },
                key -> {
                  if (key.startsWith(PREFIX)) {
                    pins.remove(key.substring(PREFIX.length()));
                  }
                }));
  }

  /** {@code sha256:<hex>} of a public key's encoding. */
  public static String pin(PublicKey key) {
    try {
      return "sha256:"
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every Java platform", e);
    }
  }

  /** The key {@code agentId} joined with, if it has. */
  public Optional<String> pinOf(String agentId) {
    return Optional.ofNullable(pins.get(agentId));
  }

  /**
   * Records that {@code agentId} joined with the key of {@code pin} (with token {@code tokenId}).
   */
  public CompletionStage<Void> bind(String agentId, String pin, String tokenId) {
    pins.put(agentId, pin);
    TokenEvent event =
        TokenEvent.newBuilder()
            .setType(TYPE)
            .setTokenId(tokenId)
            .setTime(clock.instant())
            .setAgentId(agentId)
            .setKeyPin(pin)
            .setProxyId(writerId)
            .build();
    return publisher.publish(Topic.TOKENS, PREFIX + agentId, event);
  }

  @Override
  public void close() {
    view.close();
  }
}

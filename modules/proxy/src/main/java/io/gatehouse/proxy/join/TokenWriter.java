package io.gatehouse.proxy.join;

import io.gatehouse.events.ResourceKind;
import io.gatehouse.events.TokenEvent;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.proxy.publish.EventPublisher;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * Writes the {@code tokens} topic: tokens, use claims and their tombstones, every record of one
 * token (its own and its claims') to the partition of the token's key, so they keep one order.
 * Completes when Kafka has acknowledged the record ({@code acks=all}).
 */
final class TokenWriter {
  static final String TOKEN = "token";
  static final String USE = "use";

  private final EventPublisher publisher;
  private final String writerId;

  TokenWriter(EventPublisher publisher, String writerId) {
    this.publisher = Objects.requireNonNull(publisher, "publisher");
    this.writerId = Objects.requireNonNull(writerId, "writerId");
  }

  CompletionStage<Void> token(String hash, String id, TokenRequest request, Instant now) {
    TokenEvent event =
        TokenEvent.newBuilder()
            .setType(TOKEN)
            .setTokenId(id)
            .setTime(now)
            .setKinds(words(request.kinds()))
            .setExpiresAt(now.plus(request.ttl()))
            .setMaxUses(request.maxUses().isPresent() ? request.maxUses().getAsInt() : null)
            .setCreatedBy(request.createdBy())
            .setDescription(request.description())
            .setProxyId(writerId)
            .build();
    return write(new TokenKey(hash, null, null), event);
  }

  CompletionStage<Void> use(
      TokenKey claim, String id, Collection<ResourceKind> kinds, Instant now) {
    TokenEvent event =
        TokenEvent.newBuilder()
            .setType(USE)
            .setTokenId(id)
            .setTime(now)
            .setKinds(words(kinds))
            .setAgentId(claim.agentId())
            .setProxyId(writerId)
            .build();
    return write(claim, event);
  }

  /** A tombstone for a token or a claim. */
  CompletionStage<Void> delete(TokenKey key) {
    return write(key, null);
  }

  private CompletionStage<Void> write(TokenKey key, TokenEvent event) {
    return publisher.publish(Topic.TOKENS, key.text(), key.hash(), event);
  }

  private static List<String> words(Collection<ResourceKind> kinds) {
    return kinds.stream().sorted().map(ResourceKind::word).toList();
  }
}

package io.gatehouse.proxy.join;

import io.gatehouse.events.ResourceKind;
import io.gatehouse.events.TokenEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tokens and use claims of the {@code tokens} table, in memory: tokens by hash, and per token
 * the claims present (claim key to agent id). Written by one thread (the view's), read by any.
 */
final class TokenTable {
  private final Map<String, TokenEvent> tokens = new ConcurrentHashMap<>();
  private final Map<String, Map<String, String>> uses = new ConcurrentHashMap<>();

  void put(TokenKey key, TokenEvent event) {
    if (key.isUse()) {
      uses.computeIfAbsent(key.hash(), h -> new ConcurrentHashMap<>())
          .put(key.text(), key.agentId());
    } else {
      tokens.put(key.hash(), event);
    }
  }

  void remove(TokenKey key) {
    if (!key.isUse()) {
      tokens.remove(key.hash());
      return;
    }
    uses.computeIfPresent(
        key.hash(),
        (hash, claims) -> {
          claims.remove(key.text());
          return claims.isEmpty() ? null : claims;
        });
  }

  /** The token of {@code hash}, or {@code null}. */
  TokenEvent token(String hash) {
    return tokens.get(hash);
  }

  /** The distinct agents that have a claim of {@code hash} present. */
  Set<String> agents(String hash) {
    return new HashSet<>(uses.getOrDefault(hash, Map.of()).values());
  }

  /** How many claims of {@code hash} {@code agentId} has present. */
  long claimsOf(String hash, String agentId) {
    return uses.getOrDefault(hash, Map.of()).values().stream().filter(agentId::equals).count();
  }

  /** The keys of every claim of {@code hash}. */
  List<String> claimKeys(String hash) {
    return List.copyOf(uses.getOrDefault(hash, Map.of()).keySet());
  }

  /** The hash of the token whose public id is {@code id}. */
  Optional<String> hashOf(String id) {
    return tokens.entrySet().stream()
        .filter(e -> e.getValue().getTokenId().equals(id))
        .map(Map.Entry::getKey)
        .findFirst();
  }

  /** What {@code tokens ls} shows of the token of {@code hash}, or {@code null}. */
  JoinToken describe(String hash) {
    TokenEvent e = tokens.get(hash);
    return e == null ? null : describe(e, agents(hash).size());
  }

  /** Every token, oldest first. */
  List<JoinToken> all() {
    List<JoinToken> out = new ArrayList<>();
    for (String hash : tokens.keySet()) {
      JoinToken t = describe(hash);
      if (t != null) {
        out.add(t);
      }
    }
    out.sort(Comparator.comparing(JoinToken::createdAt).thenComparing(JoinToken::id));
    return out;
  }

  static JoinToken describe(TokenEvent e, int uses) {
    return new JoinToken(
        e.getTokenId(),
        kinds(e.getKinds()),
        e.getTime(),
        e.getExpiresAt() == null ? e.getTime() : e.getExpiresAt(),
        e.getMaxUses() == null ? OptionalInt.empty() : OptionalInt.of(e.getMaxUses()),
        uses,
        e.getCreatedBy() == null ? "" : e.getCreatedBy(),
        e.getDescription());
  }

  /** The kinds among {@code words} this build knows; an unknown word allows nothing. */
  static Set<ResourceKind> kinds(List<String> words) {
    Set<ResourceKind> out = EnumSet.noneOf(ResourceKind.class);
    for (String word : words) {
      ResourceKind.parse(word).ifPresent(out::add);
    }
    return out;
  }
}

package io.gatehouse.proxy.join;

import io.gatehouse.config.NodeId;
import io.gatehouse.events.ResourceKind;
import io.gatehouse.events.TokenEvent;
import io.gatehouse.events.codec.EventCodec;
import io.gatehouse.events.topic.Topic;
import io.gatehouse.pki.ClusterSecret;
import io.gatehouse.pki.ClusterSecret.Purpose;
import io.gatehouse.proxy.ProxyException;
import io.gatehouse.proxy.audit.AuditLog;
import io.gatehouse.proxy.publish.EventPublisher;
import io.gatehouse.state.StateChange;
import io.gatehouse.state.StateStore;
import io.gatehouse.state.TableView;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

/**
 * The join tokens of the cluster, as this process has read them from the {@code tokens} topic (a
 * {@link TableView} of its table), and what the join endpoint and {@code gatehouse tokens} do with
 * them: {@link #add}, {@link #remove}, {@link #tokens}, {@link #redeem}.
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li><b>The token is never written down.</b> Records are keyed by the token's keyed hash ({@link
 *       ClusterSecret#hash}, purpose {@link Purpose#JOIN_TOKEN}); no message, log line or audit
 *       event contains the token.
 *   <li><b>Uses are exact across proxies.</b> A redeem writes a claim ({@code
 *       <hash>/use/<agentId>/<claimId>}) to the partition of the token's key and waits until this
 *       process's view reads it back. The claims present at that point in the partition are the
 *       same on every proxy, so every proxy agrees: a claim is accepted only if the distinct agents
 *       with a claim present, its own included, are within the token's uses. Of two proxies
 *       redeeming a one-use token at once, exactly one wins. A refused claim is deleted again by
 *       its writer.
 *   <li><b>A re-join takes no further use.</b> An agent that claimed a use before (it crashed
 *       before storing its certificate, say) adds no distinct agent, so it is let in again while
 *       the token is valid and it was within the uses. (It can be refused in the rare moment a
 *       competing claim is in flight, before its writer deletes it: refusing is the safe side.)
 *   <li><b>Every decision is audited</b> ({@code join.accepted}, {@code join.refused} with the
 *       reason), as are tokens issued and removed.
 * </ul>
 *
 * <p>A redeem whose claim is not read back within {@link #CLAIM_TIMEOUT} (Kafka unreachable, the
 * materializer behind) fails with a {@link ProxyException}, not a refusal; the claim is deleted if
 * it arrives later. Thread-safe. Close it to stop following the table; the store is not closed.
 */
public final class JoinTokens implements AutoCloseable {
  /** The longest a redeem waits for its claim to be read back. */
  public static final Duration CLAIM_TIMEOUT = Duration.ofSeconds(10);

  private static final Logger LOG = LoggerFactory.getLogger(JoinTokens.class);
  private static final HexFormat HEX = HexFormat.of();

  /** Public ids are this many hex digits of the hash: 48 bits, unique among live tokens. */
  private static final int ID_LENGTH = 12;

  private final ClusterSecret secret;
  private final TokenWriter writer;
  private final AuditLog audit;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final TokenTable table = new TokenTable();
  private final Map<String, Redeem> pending = new ConcurrentHashMap<>();
  private final Set<String> abandoned = ConcurrentHashMap.newKeySet();
  private final TableView<TokenEvent> view;

  /** A redeem waiting for its claim to be read back. */
  private record Redeem(
      TokenKey claim, Set<ResourceKind> kinds, CompletableFuture<TokenGrant> result) {}

  private JoinTokens(
      StateStore store,
      Flux<StateChange> changes,
      EventPublisher publisher,
      ClusterSecret secret,
      AuditLog audit,
      Clock clock,
      String writerId) {
    this.secret = Objects.requireNonNull(secret, "secret");
    this.writer = new TokenWriter(publisher, writerId);
    this.audit = Objects.requireNonNull(audit, "audit");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.view =
        TableView.open(
            store,
            Topic.TOKENS,
            changes,
            (key, value) -> EventCodec.TOKEN_EVENT.decode(value),
            TableView.Listener.of(this::put, this::remove));
  }

  /**
   * Loads the {@code tokens} table of {@code store}, then follows {@code changes} (the
   * materializer's).
   *
   * @param publisher writes tokens, claims and their tombstones
   * @param audit where decisions and token changes are audited
   * @param writerId the proxy (or CLI run) named in the records it writes
   */
  public static JoinTokens open(
      StateStore store,
      Flux<StateChange> changes,
      EventPublisher publisher,
      ClusterSecret secret,
      AuditLog audit,
      Clock clock,
      String writerId) {
    return new JoinTokens(store, changes, publisher, secret, audit, clock, writerId);
  }

  /** Every token this process knows, oldest first, expired and used-up ones included. */
  public List<JoinToken> tokens() {
    return table.all();
  }

  /** The token with public id {@code id}, if this process knows it. */
  public Optional<JoinToken> token(String id) {
    return table.hashOf(id).map(table::describe);
  }

  /**
   * Issues a token. The stage completes once Kafka has the record; the returned token is the only
   * copy of its text.
   */
  public CompletionStage<IssuedToken> add(TokenRequest request) {
    String token = TokenText.generate(random);
    String hash = secret.hash(Purpose.JOIN_TOKEN, token);
    String id = hash.substring(0, ID_LENGTH);
    Instant now = clock.instant();
    JoinToken info =
        new JoinToken(
            id,
            request.kinds(),
            now,
            now.plus(request.ttl()),
            request.maxUses(),
            0,
            request.createdBy(),
            request.description());
    return writer
        .token(hash, id, request, now)
        .thenApply(
            done -> {
              audit.tokenChanged(
                  AuditLog.TOKEN_CREATE,
                  id,
                  request.createdBy(),
                  details(
                      "kinds",
                      words(info.kinds()),
                      "expires",
                      info.expiresAt().toString(),
                      "max_uses",
                      info.maxUses().isPresent()
                          ? String.valueOf(info.maxUses().getAsInt())
                          : "unlimited"));
              return new IssuedToken(token, info);
            });
  }

  /**
   * Removes the token with public id {@code id} and its use claims (tombstones). From then on it is
   * refused as unknown.
   *
   * @return the removed token; fails with a {@link ProxyException} when no token has that id
   */
  public CompletionStage<JoinToken> remove(String id, String by) {
    Optional<String> found = table.hashOf(id);
    if (found.isEmpty()) {
      return CompletableFuture.failedFuture(
          new ProxyException("no join token with id '" + id + "' (see `gatehouse tokens ls`)"));
    }
    String hash = found.get();
    JoinToken removed = table.describe(hash);
    CompletableFuture<?>[] writes =
        Stream.concat(
                table.claimKeys(hash).stream().map(TokenKey::parse),
                Stream.of(new TokenKey(hash, null, null)))
            .map(key -> writer.delete(key).toCompletableFuture())
            .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(writes)
        .thenApply(
            done -> {
              audit.tokenChanged(AuditLog.TOKEN_DELETE, id, by, Map.of());
              return removed;
            });
  }

  /**
   * Decides whether {@code agentId} may join with {@code token} to serve {@code requestedKinds}
   * (kind words; empty asks for every kind the token allows).
   *
   * @return the grant; fails with a {@link JoinRefusedException} carrying the reason, or with a
   *     {@link ProxyException} when no decision could be made (an invalid agent id, Kafka
   *     unreachable, the claim not read back in time)
   */
  public CompletionStage<TokenGrant> redeem(
      String token, String agentId, Set<String> requestedKinds) {
    try {
      NodeId.check("agent", agentId);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(new ProxyException(e.getMessage()));
    }
    String hash = TokenText.looksLikeToken(token) ? secret.hash(Purpose.JOIN_TOKEN, token) : null;
    JoinToken presented = hash == null ? null : table.describe(hash);
    Set<ResourceKind> kinds;
    try {
      kinds = RedeemRule.check(presented, agentId, Set.copyOf(requestedKinds), clock.instant());
    } catch (JoinRefusedException refused) {
      refusedAudit(refused, agentId);
      return CompletableFuture.failedFuture(refused);
    }
    TokenKey claim = new TokenKey(hash, agentId, claimId());
    Redeem redeem = new Redeem(claim, kinds, new CompletableFuture<>());
    // Waiting before writing: the claim may be read back before the write's acknowledgement.
    pending.put(claim.text(), redeem);
    writer
        .use(claim, presented.id(), kinds, clock.instant())
        .whenComplete(
            (done, error) -> {
              if (error != null && pending.remove(claim.text(), redeem)) {
                // It may still land; if it does, it is deleted.
                abandoned.add(claim.text());
                redeem
                    .result()
                    .completeExceptionally(
                        new ProxyException(
                            "cannot claim a use of join token "
                                + presented.id()
                                + " for agent "
                                + agentId
                                + ": "
                                + error.getMessage(),
                            error));
              }
            });
    CompletableFuture.delayedExecutor(CLAIM_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .execute(
            () -> {
              if (pending.remove(claim.text(), redeem)) {
                abandoned.add(claim.text());
                redeem
                    .result()
                    .completeExceptionally(
                        new ProxyException(
                            "claim of a use of join token "
                                + presented.id()
                                + " for agent "
                                + agentId
                                + " was not read back within "
                                + CLAIM_TIMEOUT.toSeconds()
                                + "s (is Kafka reachable?)"));
              }
            });
    return redeem.result();
  }

  /** Stops following the table; idempotent. Pending redeems time out. */
  @Override
  public void close() {
    view.close();
  }

  // Called by the view, one change at a time and in the order of the partition: the table is
  // exactly the prefix of the partition up to this record when a claim is decided here.
  private void put(String key, TokenEvent event) {
    TokenKey parsed = parse(key);
    if (parsed == null) {
      return;
    }
    table.put(parsed, event);
    if (!parsed.isUse()) {
      return;
    }
    Redeem redeem = pending.remove(key);
    if (redeem != null) {
      decide(redeem);
    } else if (abandoned.remove(key)) {
      writer.delete(parsed);
    }
  }

  private void remove(String key) {
    TokenKey parsed = parse(key);
    if (parsed != null) {
      table.remove(parsed);
    }
  }

  private void decide(Redeem redeem) {
    TokenKey claim = redeem.claim();
    JoinToken token = table.describe(claim.hash());
    boolean rejoin = table.claimsOf(claim.hash(), claim.agentId()) > 1;
    try {
      RedeemRule.checkUses(token, claim.agentId(), table.agents(claim.hash()).size());
    } catch (JoinRefusedException refused) {
      // Only this claim is withdrawn: an earlier claim of the same agent stays what it was.
      writer.delete(claim);
      refusedAudit(refused, claim.agentId());
      redeem.result().completeExceptionally(refused);
      return;
    }
    TokenGrant grant = new TokenGrant(token.id(), claim.agentId(), redeem.kinds(), rejoin);
    audit.join(
        AuditLog.JOIN_ACCEPTED,
        grant.tokenId(),
        grant.agentId(),
        "ok",
        details("kinds", words(grant.kinds()), "rejoin", String.valueOf(rejoin)));
    redeem.result().complete(grant);
  }

  private void refusedAudit(JoinRefusedException refused, String agentId) {
    audit.join(
        AuditLog.JOIN_REFUSED,
        refused.tokenId().orElse(null),
        agentId,
        "denied",
        details("reason", refused.reason().code(), "error", refused.getMessage()));
  }

  private static TokenKey parse(String key) {
    if (key.startsWith(AgentKeys.PREFIX)) {
      // An agent's key binding shares the topic; AgentKeys keeps those.
      return null;
    }
    try {
      return TokenKey.parse(key);
    } catch (IllegalArgumentException e) {
      LOG.warn("tokens table: skipping {}", e.getMessage());
      return null;
    }
  }

  private String claimId() {
    byte[] bytes = new byte[8];
    random.nextBytes(bytes);
    return HEX.formatHex(bytes);
  }

  private static String words(Set<ResourceKind> kinds) {
    return kinds.stream().sorted().map(ResourceKind::word).collect(Collectors.joining(","));
  }

  private static Map<String, String> details(String... pairs) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i + 1 < pairs.length; i += 2) {
      out.put(pairs[i], pairs[i + 1]);
    }
    return out;
  }
}

package io.gatehouse.proxy.join;

import io.gatehouse.proxy.ProxyException;
import java.util.Objects;
import java.util.Optional;

/**
 * An agent's join was refused, for one {@link Reason}. The message says why for the agent's
 * operator (the token's public id, the agent, the kinds) and never contains the token.
 */
public final class JoinRefusedException extends ProxyException {
  private static final long serialVersionUID = 1L;

  /** Why a token was refused; {@link #code()} is the word used in audit events. */
  public enum Reason {
    /**
     * Never issued, or removed: once a removal is compacted away the two look the same, so the
     * message says "unknown or removed".
     */
    UNKNOWN("unknown"),
    /** Past its expiry. */
    EXPIRED("expired"),
    /** As many distinct agents as its uses allow have joined with it already. */
    USED_UP("used-up"),
    /** The agent asked to serve a kind the token does not allow. */
    WRONG_KIND("wrong-kind");

    private final String code;

    Reason(String code) {
      this.code = code;
    }

    public String code() {
      return code;
    }
  }

  private final Reason reason;
  private final String tokenId;

  JoinRefusedException(Reason reason, String tokenId, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.tokenId = tokenId;
  }

  public Reason reason() {
    return reason;
  }

  /** The public id of the token presented, when it is known. */
  public Optional<String> tokenId() {
    return Optional.ofNullable(tokenId);
  }
}

package io.gatehouse.agent;

import java.util.Objects;

/**
 * Why a dynamic resource may not point where it does: a reason for meters and a sentence for logs
 * and error bodies, naming the destination and the watcher (never a secret: only hosts, addresses
 * and ports).
 *
 * @param reason the kind of refusal
 * @param detail one line, e.g. {@code 127.0.0.1 is a loopback address; app_service.resources[0]
 *     does not name it in its destinations (add '127.0.0.1:3090' to allow it)}
 */
public record DestinationRefusal(Reason reason, String detail) {
  public DestinationRefusal {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(detail, "detail");
  }

  /** The kinds of refusal; the word is the meters' {@code reason} tag. */
  public enum Reason {
    /** 127.0.0.0/8, ::1, or the name {@code localhost}. */
    LOOPBACK("loopback"),
    /** 169.254.0.0/16 (the cloud metadata address among them), fe80::/10, fd00:ec2::254. */
    LINK_LOCAL("link-local"),
    /** 0.0.0.0/8 and ::, which reach the agent's own host. */
    UNSPECIFIED("unspecified"),
    /** The host or an address of a proxy the agent is connected to. */
    PROXY("proxy"),
    /** The watcher's destinations do not list it. */
    NOT_LISTED("not-listed"),
    /** A host that is not a canonical IP literal but that a resolver may read as one. */
    AMBIGUOUS("ambiguous");

    private final String word;

    Reason(String word) {
      this.word = word;
    }

    public String word() {
      return word;
    }
  }
}

package io.gatehouse.pki;

import io.gatehouse.config.NodeId;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Who a cluster certificate stands for: an agent or a proxy, its id, and for an agent the kinds of
 * resource (words like {@code app}, {@code db}, {@code desktop}, {@code kube}) it may serve.
 *
 * <p>It is written into the certificate as URI subject alternative names, readable with {@code
 * openssl x509 -text}:
 *
 * <ul>
 *   <li>{@code spiffe://gatehouse/agent/<id>} or {@code spiffe://gatehouse/proxy/<id>}: exactly one
 *       per certificate; ids follow {@link NodeId} (letters, digits, {@code .}, {@code _}, {@code
 *       -}), so they need no escaping in a URI path;
 *   <li>{@code gatehouse:kinds:app,db}: at most one, only on agent certificates, the kinds sorted
 *       and comma-separated.
 * </ul>
 *
 * The subject's common name repeats the id for people; only the URIs count. {@link #of} reads a
 * certificate as it is: it says who the certificate names, not that the certificate is trusted, so
 * read it from a chain the TLS handshake has already verified against the cluster CA.
 *
 * @param role agent or proxy
 * @param id the agent's or proxy's id
 * @param kinds the kinds an agent may serve, sorted and unmodifiable; empty for a proxy
 */
public record CertificateIdentity(Role role, String id, Set<String> kinds) {
  /** The SPIFFE trust domain of every Gatehouse identity URI. */
  public static final String TRUST_DOMAIN = "gatehouse";

  /** Prefix of the URI that carries an agent's kinds. */
  public static final String KINDS_URI_PREFIX = "gatehouse:kinds:";

  private static final String ID_URI_PREFIX = "spiffe://" + TRUST_DOMAIN + "/";
  private static final Pattern KIND = Pattern.compile("[a-z][a-z0-9-]{0,31}");
  private static final int SAN_URI = 6;

  /** The two roles a cluster certificate can have. */
  public enum Role {
    AGENT,
    PROXY;

    /** The word in the identity URI: {@code agent} or {@code proxy}. */
    public String word() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Checks the parts.
   *
   * @throws PkiException for an id outside the {@link NodeId} rule, a kind that is not a lower-case
   *     word, or a proxy with kinds
   */
  public CertificateIdentity {
    Objects.requireNonNull(role, "role");
    try {
      NodeId.check(role.word(), id);
    } catch (IllegalArgumentException e) {
      throw new PkiException(e.getMessage());
    }
    SortedSet<String> sorted = new TreeSet<>();
    for (String kind : kinds) {
      if (kind == null || !KIND.matcher(kind).matches()) {
        throw new PkiException(
            "invalid kind '"
                + kind
                + "' for "
                + role.word()
                + " "
                + id
                + ": use a lower-case word");
      }
      sorted.add(kind);
    }
    if (role == Role.PROXY && !sorted.isEmpty()) {
      throw new PkiException("proxy " + id + ": a proxy certificate names no kinds");
    }
    kinds = Collections.unmodifiableSortedSet(sorted);
  }

  /** An agent that may serve {@code kinds}. */
  public static CertificateIdentity agent(String id, Set<String> kinds) {
    return new CertificateIdentity(Role.AGENT, id, kinds);
  }

  /** A proxy. */
  public static CertificateIdentity proxy(String id) {
    return new CertificateIdentity(Role.PROXY, id, Set.of());
  }

  /**
   * The identity {@code certificate} names.
   *
   * @throws PkiException naming the certificate's subject when it carries no Gatehouse identity,
   *     more than one, or a damaged one
   */
  public static CertificateIdentity of(X509Certificate certificate) {
    String subject = certificate.getSubjectX500Principal().getName();
    List<String> ids = new ArrayList<>();
    List<String> kinds = new ArrayList<>();
    for (String uri : uris(certificate, subject)) {
      if (uri.startsWith(ID_URI_PREFIX)) {
        ids.add(uri.substring(ID_URI_PREFIX.length()));
      } else if (uri.startsWith(KINDS_URI_PREFIX)) {
        kinds.add(uri.substring(KINDS_URI_PREFIX.length()));
      }
    }
    if (ids.isEmpty()) {
      throw new PkiException(
          "certificate "
              + subject
              + " carries no Gatehouse identity (no "
              + ID_URI_PREFIX
              + " URI)");
    }
    if (ids.size() > 1 || kinds.size() > 1) {
      throw new PkiException(
          "certificate " + subject + " carries more than one Gatehouse identity");
    }
    String path = ids.get(0);
    int slash = path.indexOf('/');
    Role role =
        slash < 0
            ? null
            : switch (path.substring(0, slash)) {
              case "agent" -> Role.AGENT;
              case "proxy" -> Role.PROXY;
              default -> null;
            };
    if (role == null) {
      throw new PkiException(
          "certificate "
              + subject
              + ": "
              + ID_URI_PREFIX
              + path
              + " names neither agent nor proxy");
    }
    Set<String> kindSet =
        kinds.isEmpty() || kinds.get(0).isEmpty() ? Set.of() : Set.of(kinds.get(0).split(",", -1));
    try {
      return new CertificateIdentity(role, path.substring(slash + 1), kindSet);
    } catch (PkiException | IllegalArgumentException e) {
      // IllegalArgumentException: Set.of refuses a repeated kind.
      throw new PkiException("certificate " + subject + ": " + e.getMessage());
    }
  }

  /** {@code spiffe://gatehouse/<role>/<id>}. */
  public String uri() {
    return ID_URI_PREFIX + role.word() + "/" + id;
  }

  /** {@code gatehouse:kinds:<kinds>}, present only for an agent with kinds. */
  public Optional<String> kindsUri() {
    return kinds.isEmpty()
        ? Optional.empty()
        : Optional.of(KINDS_URI_PREFIX + String.join(",", kinds));
  }

  /** True when this is an agent allowed to serve {@code kind}. */
  public boolean mayServe(String kind) {
    return role == Role.AGENT && kinds.contains(kind);
  }

  private static List<String> uris(X509Certificate certificate, String subject) {
    Collection<List<?>> names;
    try {
      names = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new PkiException("certificate " + subject + ": damaged subject alternative names", e);
    }
    List<String> uris = new ArrayList<>();
    if (names != null) {
      for (List<?> name : names) {
        if (name.size() >= 2 && Integer.valueOf(SAN_URI).equals(name.get(0))) {
          uris.add(String.valueOf(name.get(1)));
        }
      }
    }
    return uris;
  }
}

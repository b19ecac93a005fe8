/**
 * OpenID Connect single sign-on for the proxy: the authorization code flow with PKCE against an
 * operator's identity provider, and the mapping of a claim to Gatehouse roles.
 *
 * <ul>
 *   <li>{@link io.gatehouse.oidc.OidcSettings}: the {@code auth.oidc} block of {@code proxy.yaml},
 *       validated once.
 *   <li>{@link io.gatehouse.oidc.OidcProvider}: {@code discover} the provider, {@code start} a
 *       login (a {@link io.gatehouse.oidc.PendingLogin}), {@code finish} it into an {@link
 *       io.gatehouse.oidc.SsoIdentity}.
 *   <li>{@link io.gatehouse.oidc.OidcException}: every refusal, with a reason and never a secret.
 * </ul>
 *
 * <p>Nothing here serves HTTP or keeps sessions: the proxy owns the endpoints, keeps each login
 * under way (sealed in the browser's binding cookie, so any proxy can finish it) and issues the
 * credential after {@code finish}.
 */
package io.gatehouse.oidc;

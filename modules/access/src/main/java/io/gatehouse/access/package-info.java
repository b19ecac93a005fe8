/**
 * Who may do what, and how a user proves who they are.
 *
 * <ul>
 *   <li>{@link io.gatehouse.access.Role}: a {@code kind: role} document (allow and deny label
 *       selectors per resource kind, API rules), parsed and validated once; {@link
 *       io.gatehouse.access.Role#ADMIN} is built in.
 *   <li>{@link io.gatehouse.access.Access}: the roles of one user compiled into an index, asked on
 *       every new session ({@code mayOpen}) and API call ({@code may}). Deny wins; nothing is
 *       allowed by default.
 *   <li>{@link io.gatehouse.access.PasswordHasher}: peppered argon2id hashes as PHC strings.
 *   <li>{@link io.gatehouse.access.Credentials}: short-lived bearer credentials (HS256 JWTs) every
 *       proxy of a cluster issues and verifies alike.
 *   <li>{@link io.gatehouse.access.AppAssertions}: the ES256 identity assertion sent to apps, and
 *       the JWKS apps verify it with.
 * </ul>
 *
 * Pure: no I/O but {@link io.gatehouse.access.AppAssertions#readOrCreate}, no threads.
 */
package io.gatehouse.access;

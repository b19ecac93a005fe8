/**
 * The audit trail: session start, end, re-pin and failure, resource changes, join tokens issued and
 * removed, and joins accepted or refused, written to {@code gatehouse.audit} by {@link
 * io.gatehouse.proxy.audit.AuditLog}.
 */
package io.gatehouse.proxy.audit;

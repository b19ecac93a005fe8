/**
 * The audit trail: session start, end, re-pin and failure, and resource changes, written to {@code
 * gatehouse.audit} by {@link io.gatehouse.proxy.audit.AuditLog}.
 */
package io.gatehouse.proxy.audit;

/**
 * Avro single-object encoding of Gatehouse events: every value on a topic starts with the magic
 * bytes {@code C3 01} and the 8-byte CRC-64-AVRO fingerprint of the writer's schema, so any
 * consumer holding the {@code .avsc} files can decode it and tell which schema wrote it.
 */
package io.gatehouse.events.codec;

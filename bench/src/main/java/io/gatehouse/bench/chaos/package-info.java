/**
 * The chaos suite: faults injected into {@code infra/local-cluster} under steady load from real
 * clients, and what each one cost, read back from the topics ({@code bench/chaos}).
 */
package io.gatehouse.bench.chaos;

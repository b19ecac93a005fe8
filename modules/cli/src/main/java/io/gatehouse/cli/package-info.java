/**
 * The {@code gatehouse} command line: {@link io.gatehouse.cli.Main} wires picocli subcommands for
 * dev mode, the proxy and agent processes, and the operator's reads and writes against a proxy's
 * API. Exit codes: 0 ok, 1 user error (one line on stderr), 2 proxy or broker unreachable.
 */
package io.gatehouse.cli;

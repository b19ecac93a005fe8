/** The proxy's REST API as the CLI calls it, failures mapped to exit codes. */
package io.gatehouse.cli.client;

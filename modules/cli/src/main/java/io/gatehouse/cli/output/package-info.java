/** Text tables and JSON output shared by the read commands. */
package io.gatehouse.cli.output;

/** One class per {@code gatehouse} subcommand. */
package io.gatehouse.cli.commands;

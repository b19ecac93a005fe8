package io.gatehouse.cli.output;

/** How read commands print: a table for people, JSON for scripts. */
public enum Format {
  text,
  json
}

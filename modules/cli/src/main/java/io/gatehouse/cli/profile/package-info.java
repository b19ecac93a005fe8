/**
 * The CLI's profile: which proxy it talks to, the CA file it trusts that proxy by and, once users
 * log in, the bearer credential it sends, read once per command from a small YAML file.
 */
package io.gatehouse.cli.profile;

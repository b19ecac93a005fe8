/** Dev mode: the whole system in one process on an embedded broker, with demo upstreams. */
package io.gatehouse.cli.dev;

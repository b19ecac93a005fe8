/** Constants of the proxy-agent wire protocol ({@code docs/wire-protocol.md}). */
package io.gatehouse.events.wire;

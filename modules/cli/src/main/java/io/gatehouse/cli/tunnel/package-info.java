/** Local TCP listeners that carry each connection through the proxy's tunnel upgrade. */
package io.gatehouse.cli.tunnel;

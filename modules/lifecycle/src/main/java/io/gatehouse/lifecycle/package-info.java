/**
 * How a component lets go of what it holds: {@link io.gatehouse.lifecycle.Closer} closes every part
 * in the reverse of the order it was opened and reports the first failure once; {@link
 * io.gatehouse.lifecycle.Backoff} spaces out retries (jittered, growing, capped); {@link
 * io.gatehouse.lifecycle.DaemonThreads} names the background threads components own.
 */
package io.gatehouse.lifecycle;

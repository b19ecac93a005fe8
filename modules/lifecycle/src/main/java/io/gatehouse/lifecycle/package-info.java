/**
 * How a component lets go of what it holds: {@link io.gatehouse.lifecycle.Closer} closes every part
 * in the reverse of the order it was opened and reports the first failure once.
 */
package io.gatehouse.lifecycle;

/**
 * The web port's defences against clients that hold it without using it: a cap on connections in
 * total and per address, a deadline for each request head, and an idle timeout ({@link
 * io.gatehouse.proxy.listener.ConnectionGate}).
 */
package io.gatehouse.proxy.listener;

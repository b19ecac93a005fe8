/**
 * Locks: agents (and, with users, people) an operator has shut out. Every proxy follows the {@code
 * locks} topic and refuses a locked target at once.
 */
package io.gatehouse.proxy.lock;

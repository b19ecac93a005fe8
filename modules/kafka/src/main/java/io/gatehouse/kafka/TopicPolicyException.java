package io.gatehouse.kafka;

/**
 * A topic exists with a cleanup policy that breaks the contract. Unlike other {@link
 * TopicContractException}s (an unreachable or slow cluster), retrying cannot fix it: the operator
 * must, with the command the message names.
 */
public class TopicPolicyException extends TopicContractException {
  private static final long serialVersionUID = 1L;

  public TopicPolicyException(String message) {
    super(message);
  }
}

package io.gatehouse.kafka;

/**
 * Root of the kafka module's failures: a topic exists but breaks the contract, the cluster could
 * not be asked about it (unreachable, slow, or not there before a deadline), or ACLs could not be
 * set ({@link AclSetupException}). Messages name the topics and the bootstrap; Kafka's own
 * exceptions travel only as the cause.
 */
public class TopicContractException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TopicContractException(String message) {
    super(message);
  }

  public TopicContractException(String message, Throwable cause) {
    super(message, cause);
  }
}

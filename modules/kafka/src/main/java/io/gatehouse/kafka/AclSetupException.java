package io.gatehouse.kafka;

/**
 * The ACLs of a Gatehouse role could not be created: the cluster has no authorizer, the client may
 * not create ACLs, or the cluster did not answer. The message names the principal, the role and the
 * reason.
 */
public class AclSetupException extends TopicContractException {
  private static final long serialVersionUID = 1L;

  public AclSetupException(String message, Throwable cause) {
    super(message, cause);
  }
}

package io.gatehouse.broker;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where one node stands in a multi-node KRaft cluster: its id, the controller addresses of every
 * node (a static quorum: node {@code i} is {@code controllers.get(i - 1)}), the cluster id every
 * node is formatted with, and the replication settings the cluster's topics get.
 *
 * <p>A node of such a cluster is both broker and controller, as in {@link EmbeddedKafka}'s
 * single-node default; the controllers form a static voter set ({@code controller.quorum.voters}),
 * so no node needs to be told to join: a majority of them started is a working cluster.
 *
 * @param nodeId this node's id, 1 to {@code controllers.size()}
 * @param controllers {@code host:port} of every node's controller listener, in node-id order
 * @param clusterId the cluster's id (Kafka's base64 UUID, as {@code kafka-storage random-uuid}
 *     prints), the same on every node
 * @param replicationFactor the replication factor of every internal topic and the default of new
 *     topics; at most the number of nodes
 * @param minInsyncReplicas the cluster's {@code min.insync.replicas}, at most {@code
 *     replicationFactor}
 */
public record KafkaQuorum(
    int nodeId,
    List<String> controllers,
    String clusterId,
    int replicationFactor,
    int minInsyncReplicas) {

  private static final Pattern HOST_PORT = Pattern.compile("[A-Za-z0-9.\\-]+:\\d{1,5}");
  private static final Pattern CLUSTER_ID = Pattern.compile("[A-Za-z0-9_\\-]{22}");

  public KafkaQuorum {
    controllers = List.copyOf(Objects.requireNonNull(controllers, "controllers"));
    Objects.requireNonNull(clusterId, "clusterId");
    if (controllers.isEmpty()) {
      throw new IllegalArgumentException("a quorum needs at least one controller address");
    }
    for (String controller : controllers) {
      if (!HOST_PORT.matcher(controller).matches()) {
        throw new IllegalArgumentException(
            "controller address '" + controller + "' is not host:port");
      }
    }
    if (nodeId < 1 || nodeId > controllers.size()) {
      throw new IllegalArgumentException(
          "node id " + nodeId + " must be between 1 and " + controllers.size() + " (controllers)");
    }
    if (!CLUSTER_ID.matcher(clusterId).matches()) {
      throw new IllegalArgumentException(
          "cluster id '" + clusterId + "' is not a Kafka UUID (22 base64url characters)");
    }
    if (replicationFactor < 1 || replicationFactor > controllers.size()) {
      throw new IllegalArgumentException(
          "replication factor "
              + replicationFactor
              + " must be between 1 and the number of nodes, "
              + controllers.size());
    }
    if (minInsyncReplicas < 1 || minInsyncReplicas > replicationFactor) {
      throw new IllegalArgumentException(
          "min.insync.replicas "
              + minInsyncReplicas
              + " must be between 1 and the replication factor, "
              + replicationFactor);
    }
  }

  /** This node's controller address. */
  String ownController() {
    return controllers.get(nodeId - 1);
  }

  /** {@code controller.quorum.voters}: {@code 1@host:port,2@host:port,…}. */
  String voters() {
    StringBuilder voters = new StringBuilder();
    for (int i = 0; i < controllers.size(); i++) {
      if (i > 0) {
        voters.append(',');
      }
      voters.append(i + 1).append('@').append(controllers.get(i));
    }
    return voters.toString();
  }

  int ownControllerPort() {
    String own = ownController();
    return Integer.parseInt(own.substring(own.lastIndexOf(':') + 1));
  }

  String ownControllerHost() {
    String own = ownController();
    return own.substring(0, own.lastIndexOf(':'));
  }
}

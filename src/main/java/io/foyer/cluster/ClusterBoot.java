package io.foyer.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.foyer.config.FoyerConfig.ClusterConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Starts Vert.x as one node of a cluster: Hazelcast membership over a TCP-IP member list (multicast off, so
 * nodes only ever join the members they are told about) and a clustered event bus on the same host.
 */
public final class ClusterBoot {

  /** Hazelcast cluster name: nodes of other products on the same network never join ours. */
  public static final String CLUSTER_NAME = "foyer";

  private ClusterBoot() {}

  public static Future<Vertx> start(VertxBuilder builder, VertxOptions options, ClusterConfig cluster) {
    options.setEventBusOptions(new EventBusOptions()
        .setHost(cluster.host())
        .setClusterPublicHost(cluster.host())
        .setPort(cluster.busPort()));
    return builder.with(options).withClusterManager(new HazelcastClusterManager(hazelcastConfig(cluster)))
        .buildClustered();
  }

  static Config hazelcastConfig(ClusterConfig cluster) {
    // Vert.x's own defaults declare the maps and multimaps its cluster manager needs; we set the network only.
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(CLUSTER_NAME);
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.getNetworkConfig()
        .setPort(cluster.port())
        .setPortAutoIncrement(false)
        .setPublicAddress(cluster.host() + ":" + cluster.port());
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface(cluster.host());
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members());
    return config;
  }
}

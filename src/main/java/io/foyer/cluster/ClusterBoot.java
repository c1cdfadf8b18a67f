package io.foyer.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.ListenerConfig;
import io.foyer.config.FoyerConfig.ClusterConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Starts Vert.x as one node of a cluster: Hazelcast membership over a TCP-IP member list (multicast off, so
 * nodes only ever join the members they are told about) and a clustered event bus on the same host.
 */
public final class ClusterBoot {

  /** Prefix of the Hazelcast cluster name, so that the cluster is recognisable in Hazelcast's own logs. */
  private static final String NAME_PREFIX = "foyer-";
  /** How often a node looks for the rest of its cluster after a partition split them. */
  private static final int MERGE_CHECK_SECONDS = 10;

  private ClusterBoot() {}

  public static Future<Vertx> start(VertxBuilder builder, VertxOptions options, ClusterConfig cluster) {
    EventBusOptions bus = new EventBusOptions()
        .setHost(cluster.host())
        .setClusterPublicHost(publicHost(cluster))
        .setPort(cluster.busPort());
    if (cluster.busPublicPort() > 0) {
      bus.setClusterPublicPort(cluster.busPublicPort());
    }
    if (cluster.busTls()) {
      // both ends of every node-to-node connection show a certificate the cluster's authority signed; trustAll is on
      // by default in Vert.x and stays on beside trust options, so it is turned off explicitly
      bus.setSsl(true)
          .setKeyCertOptions(new PemKeyCertOptions().setCertPath(cluster.busTlsCert().toString())
              .setKeyPath(cluster.busTlsKey().toString()))
          .setTrustOptions(new PemTrustOptions().addCertPath(cluster.busTlsCa().toString()))
          .setTrustAll(false)
          .setClientAuth(ClientAuth.REQUIRED);
    }
    options.setEventBusOptions(bus);
    return builder.with(options).withClusterManager(new HazelcastClusterManager(hazelcastConfig(cluster)))
        .buildClustered();
  }

  static Config hazelcastConfig(ClusterConfig cluster) {
    // Vert.x's own defaults declare the maps and multimaps its cluster manager needs; we set the network only.
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(clusterName(cluster.secret()));
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.logging.type", "slf4j");
    // after a partition (a network blip between nodes) each side carries on as a cluster of its own, and the event
    // bus carries nothing between them until Hazelcast merges them again: look for the other side every 10 s, not
    // 5 minutes after start and every 2 minutes as by default (docs/operations.md, "Regions")
    config.setProperty("hazelcast.merge.first.run.delay.seconds", Integer.toString(MERGE_CHECK_SECONDS));
    config.setProperty("hazelcast.merge.next.run.delay.seconds", Integer.toString(MERGE_CHECK_SECONDS));
    config.getNetworkConfig()
        .setPort(cluster.port())
        .setPortAutoIncrement(false)
        .setPublicAddress(publicHost(cluster) + ":"
            + (cluster.publicPort() > 0 ? cluster.publicPort() : cluster.port()));
    config.getNetworkConfig().getInterfaces().setEnabled(true).addInterface(cluster.host());
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members());
    config.addListenerConfig(new ListenerConfig(new MembershipLog()));
    return config;
  }

  /** Where the other nodes reach this one: its own address unless it is behind NAT or a proxy. */
  private static String publicHost(ClusterConfig cluster) {
    return cluster.publicHost().isEmpty() ? cluster.host() : cluster.publicHost();
  }

  /** Every node logs each member that joins or leaves the cluster, with the count after it, for operators. */
  private static final class MembershipLog implements MembershipListener {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterBoot.class);

    @Override
    public void memberAdded(MembershipEvent event) {
      LOG.info("Cluster member joined: {} ({} members now)", event.getMember().getAddress(), event.getMembers().size());
    }

    @Override
    public void memberRemoved(MembershipEvent event) {
      LOG.warn("Cluster member left: {} ({} members now)", event.getMember().getAddress(), event.getMembers().size());
    }
  }

  /**
   * The Hazelcast cluster name for a secret: open-source Hazelcast admits any member that names the cluster, so
   * only nodes that know the secret can name it. A one-way hash, so that the name (sent in the clear) does not
   * give the secret away.
   */
  static String clusterName(String secret) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(("foyer cluster " + secret).getBytes(StandardCharsets.UTF_8));
      return NAME_PREFIX + HexFormat.of().formatHex(digest, 0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}

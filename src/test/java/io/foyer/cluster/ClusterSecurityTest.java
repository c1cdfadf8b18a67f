package io.foyer.cluster;

import static io.foyer.testing.TestNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.FoyerApp;
import io.foyer.testing.TestNodes;
import io.foyer.testing.TestServices;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.net.SelfSignedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Strangers stay out of a cluster: a node without the cluster's secret does not join it, and with the event
 * bus's mutual TLS on, a node whose certificate the cluster's authority did not sign can neither send to the
 * cluster's nodes nor receive from them, even when it knows the secret.
 */
class ClusterSecurityTest {

  private static final String SECRET = "cluster-secret-of-the-test-0123";
  private final List<FoyerApp> nodes = new ArrayList<>();

  @AfterEach
  void stopNodes() throws Exception {
    for (FoyerApp node : nodes) {
      await(node.stop());
    }
  }

  @Test
  void aNodeWithAnotherSecretDoesNotJoin() throws Exception {
    int firstPort = TestServices.freePort();
    int secondPort = TestServices.freePort();
    String members = "127.0.0.1:" + firstPort + ",127.0.0.1:" + secondPort;
    FoyerApp first = start(clustered(firstPort, members, SECRET, null));
    FoyerApp stranger = start(clustered(secondPort, members, "another-secret-0123456789", null));

    Awaitility.await().during(Duration.ofSeconds(6)).atMost(Duration.ofSeconds(8))
        .until(() -> clusterSize(first) == 1 && clusterSize(stranger) == 1);
  }

  @Test
  void theBusSpeaksMutualTlsAndRefusesACertificateTheClusterDidNotSign() throws Exception {
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log = clusterLog();
    SelfSignedCertificate cluster = SelfSignedCertificate.create("foyer-node");
    SelfSignedCertificate other = SelfSignedCertificate.create("foyer-node");
    int[] ports = {TestServices.freePort(), TestServices.freePort(), TestServices.freePort()};
    String members = "127.0.0.1:" + ports[0] + ",127.0.0.1:" + ports[1] + ",127.0.0.1:" + ports[2];
    FoyerApp first = start(clustered(ports[0], members, SECRET, cluster));
    FoyerApp second = start(clustered(ports[1], members, SECRET, cluster));
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> clusterSize(first) == 2);

    // between nodes the cluster's authority signed, messages flow over TLS
    List<String> atSecond = listen(second, "foyer.test.tls");
    Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
      first.vertx().eventBus().publish("foyer.test.tls", "from first");
      return !atSecond.isEmpty();
    });
    assertThat(atSecond).contains("from first");

    // operators see members come in the log (and on the ops page)
    assertThat(log.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
        .anyMatch(line -> line.matches("Cluster member joined: \\[127\\.0\\.0\\.1\\]:" + ports[1] + " \\(2 members now\\)"));

    // a node that knows the secret, but shows a certificate of its own, joins the membership and no more; it
    // would accept anyone (it trusts its own certificate and the cluster's), so only the nodes' checks keep it out
    Path anyone = Files.createTempFile("stranger-trusts", ".pem");
    Files.writeString(anyone, Files.readString(Path.of(other.certificatePath()))
        + Files.readString(Path.of(cluster.certificatePath())));
    Map<String, String> strangerEnv = clustered(ports[2], members, SECRET, other);
    strangerEnv.put("FOYER_CLUSTER_BUS_TLS_CA_PATH", anyone.toString());
    FoyerApp stranger = start(strangerEnv);
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> clusterSize(first) == 3);
    List<String> atStranger = listen(stranger, "foyer.test.tls");
    atSecond.clear();
    Awaitility.await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(7)).pollInterval(Duration.ofMillis(250))
        .until(() -> {
          stranger.vertx().eventBus().publish("foyer.test.tls", "from the stranger");
          first.vertx().eventBus().publish("foyer.test.tls", "from first again");
          // (the stranger hears its own publications: those never leave it)
          return !atStranger.contains("from first again") && !atSecond.contains("from the stranger");
        });
    assertThat(atSecond).as("the cluster's own nodes still reach each other").contains("from first again");
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(ClusterBoot.class)).detachAppender(log);
  }

  private static ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> clusterLog() {
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log =
        new ch.qos.logback.core.read.ListAppender<>();
    log.start();
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(ClusterBoot.class)).addAppender(log);
    return log;
  }

  private FoyerApp start(Map<String, String> env) throws Exception {
    FoyerApp node = TestNodes.start(env);
    nodes.add(node);
    return node;
  }

  private static List<String> listen(FoyerApp node, String address) throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    MessageConsumer<String> consumer = node.vertx().eventBus().consumer(address, m -> received.add(m.body()));
    await(consumer.completion());
    return received;
  }

  private static int clusterSize(FoyerApp node) {
    return ((VertxInternal) node.vertx()).clusterManager().getNodes().size();
  }

  private static Map<String, String> clustered(int port, String members, String secret,
      SelfSignedCertificate certificate) {
    Map<String, String> env = new HashMap<>();
    env.put("FOYER_CLUSTER_ENABLED", "true");
    env.put("FOYER_CLUSTER_SECRET", secret);
    env.put("FOYER_CLUSTER_HOST", "127.0.0.1");
    env.put("FOYER_CLUSTER_PORT", Integer.toString(port));
    env.put("FOYER_CLUSTER_MEMBERS", members);
    env.put("FOYER_REDIS_URL", TestServices.redisUrl());
    if (certificate != null) {
      // a self-signed certificate is its own authority: the cluster's nodes share one, the stranger has another
      env.put("FOYER_CLUSTER_BUS_TLS_CERT_PATH", certificate.certificatePath());
      env.put("FOYER_CLUSTER_BUS_TLS_KEY_PATH", certificate.privateKeyPath());
      env.put("FOYER_CLUSTER_BUS_TLS_CA_PATH", certificate.certificatePath());
    }
    return env;
  }
}

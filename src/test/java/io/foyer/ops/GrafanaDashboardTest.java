package io.foyer.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.FoyerApp;
import io.foyer.testing.Api;
import io.foyer.testing.OidcServer;
import io.foyer.testing.SignInBrowser;
import io.foyer.testing.TestNodes;
import io.foyer.testing.TestServices;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard in docs/ asks only for metrics a node publishes, each tagged with node and region: a
 * renamed metric would leave a panel empty without anyone noticing.
 */
class GrafanaDashboardTest {

  private static final Pattern METRIC = Pattern.compile("\\b((?:foyer|jvm|process)_[a-z_]+)\\{");

  @Test
  void everyPanelQueriesAMetricTheNodePublishesWithNodeAndRegion() throws Exception {
    JsonObject dashboard = new JsonObject(Files.readString(Path.of("docs", "grafana", "foyer-dashboard.json")));
    Set<String> wanted = new TreeSet<>();
    dashboard.getJsonArray("panels").forEach(panel -> ((JsonObject) panel).getJsonArray("targets").forEach(target -> {
      Matcher matcher = METRIC.matcher(((JsonObject) target).getString("expr"));
      while (matcher.find()) {
        wanted.add(matcher.group(1));
      }
    }));
    assertThat(wanted).hasSizeGreaterThan(10);

    try (OidcServer oidc = OidcServer.start()) {
      int port = TestServices.freePort();
      Map<String, String> env = new HashMap<>(oidc.foyerEnvironment("http://127.0.0.1:" + port, "corp", ""));
      env.put("FOYER_HTTP_PORT", Integer.toString(port));
      env.put("FOYER_NODE_REGION", "eu-west");
      FoyerApp app = TestNodes.start(env);
      try (Api api = new Api(app.httpPort())) {
        // a sign-in, so that its counter exists
        oidc.nextSignIn("corp", "gina", "Gina Graph", List.of());
        new SignInBrowser("http://127.0.0.1:" + port).signIn("corp", "/");
        String metrics = api.get("/metrics", null).bodyAsString();
        for (String metric : wanted) {
          assertThat(metrics).as(metric).containsPattern("(?m)^" + metric + "\\{[^}]*node=\"" + app.nodeId()
              + "\"[^}]*region=\"eu-west\"");
        }
      } finally {
        TestNodes.await(app.stop());
      }
    }
  }
}

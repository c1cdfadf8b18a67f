package io.foyer.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifest in docs/ configures a node Foyer accepts: every FOYER_ variable it sets, with the
 * secret's values and the pod's fields filled in as Kubernetes would, loads as a clustered configuration.
 */
class KubernetesManifestTest {

  @Test
  void theManifestsEnvironmentIsAValidClusteredConfiguration() throws Exception {
    List<JsonNode> documents = new ObjectMapper(new YAMLFactory())
        .readValues(new YAMLFactory().createParser(Path.of("docs", "kubernetes", "foyer.yaml").toFile()),
            JsonNode.class).readAll();
    JsonNode secret = documents.stream().filter(d -> d.path("kind").asText().equals("Secret")).findFirst()
        .orElseThrow().path("stringData");
    JsonNode container = documents.stream().filter(d -> d.path("kind").asText().equals("StatefulSet")).findFirst()
        .orElseThrow().path("spec").path("template").path("spec").path("containers").get(0);
    Map<String, String> pod = Map.of("metadata.name", "foyer-0", "status.podIP", "10.1.2.3");

    Map<String, String> env = new HashMap<>();
    for (JsonNode variable : container.path("env")) {
      String value;
      if (variable.has("value")) {
        value = variable.path("value").asText();
      } else if (variable.path("valueFrom").has("secretKeyRef")) {
        value = secret.path(variable.path("valueFrom").path("secretKeyRef").path("key").asText()).asText();
      } else {
        value = pod.get(variable.path("valueFrom").path("fieldRef").path("fieldPath").asText());
      }
      env.put(variable.path("name").asText(), value.replace("$(POD_NAME)", pod.get("metadata.name")));
    }
    FoyerConfig config = ConfigLoader.load(null, env);

    assertThat(config.cluster().enabled()).isTrue();
    assertThat(config.cluster().host()).isEqualTo("10.1.2.3");
    assertThat(config.cluster().members()).hasSize(3);
    assertThat(config.node().id()).isEqualTo("foyer-0");
    assertThat(container.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/health/ready");
    assertThat(container.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/health/live");
  }
}

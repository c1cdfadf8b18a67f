package io.foyer.sso;

import static org.assertj.core.api.Assertions.assertThat;

import io.foyer.FoyerApp;
import io.foyer.testing.OidcServer;
import io.foyer.testing.SignInBrowser;
import io.foyer.testing.TestNodes;
import io.foyer.testing.TestServices;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A provider that is down when the node starts does not stop the node: sign-in with it answers 503 unavailable
 * (retryable) until the provider is back, and then works without a restart.
 */
class ProviderDownTest {

  @Test
  void aNodeStartsWithoutItsProviderAndSignsInOnceItIsBack() throws Exception {
    int providerPort = TestServices.freePort();
    int port = TestServices.freePort();
    String foyer = "http://127.0.0.1:" + port;
    Map<String, String> env = new HashMap<>();
    env.put("FOYER_HTTP_PORT", Integer.toString(port));
    env.put("FOYER_SSO_PUBLIC_URL", foyer);
    env.put("FOYER_SSO_PROVIDERS_LATE_ISSUER", "http://localhost:" + providerPort + "/late");
    env.put("FOYER_SSO_PROVIDERS_LATE_CLIENT_ID", OidcServer.CLIENT_ID);
    env.put("FOYER_SSO_PROVIDERS_LATE_ROLES", "foyer-admins=organizer:*");
    FoyerApp app = TestNodes.start(env);
    try {
      SignInBrowser browser = new SignInBrowser(foyer);
      HttpResponse<String> down = browser.get("/auth/late/login?return=/ops");
      assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
      assertThat(new JsonObject(down.body()).getString("code")).isEqualTo("unavailable");
      assertThat(down.headers().firstValue("Retry-After")).isPresent();

      try (OidcServer oidc = OidcServer.start(providerPort)) {
        oidc.nextSignIn("late", "lou", "Lou Late", List.of("foyer-admins"));
        HttpResponse<String> back = browser.signIn("late", "/ops");
        assertThat(back.statusCode()).as(back.body()).isEqualTo(303);
        assertThat(new JsonObject(browser.get("/api/auth/session").body()).getJsonArray("roles"))
            .containsExactly("organizer:*");
      }
    } finally {
      TestNodes.await(app.stop());
    }
  }
}

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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two nodes sharing Redis serve one browser's sign-in: signed in through one, the next request may reach the
 * other (no sticky sessions), and signing out at one ends the session at both.
 */
class SharedSessionTest {

  static OidcServer oidc;
  static FoyerApp first;
  static FoyerApp second;
  static String firstUrl;

  @BeforeAll
  static void start() throws Exception {
    oidc = OidcServer.start();
    int port = TestServices.freePort();
    firstUrl = "http://127.0.0.1:" + port;
    Map<String, String> env = new HashMap<>(oidc.foyerEnvironment(firstUrl, "corp", "foyer-admins=organizer:*"));
    env.put("FOYER_REDIS_URL", TestServices.redisUrl());
    env.put("FOYER_HTTP_PORT", Integer.toString(port));
    first = TestNodes.start(env);
    env.put("FOYER_HTTP_PORT", "0");
    second = TestNodes.start(env);
  }

  @AfterAll
  static void stop() throws Exception {
    if (second != null) TestNodes.await(second.stop());
    if (first != null) TestNodes.await(first.stop());
    if (oidc != null) oidc.close();
  }

  @Test
  void aSignInMadeAtOneNodeIsServedAndEndedByTheOther() throws Exception {
    SignInBrowser atFirst = new SignInBrowser(firstUrl);
    oidc.nextSignIn("corp", "carla", "Carla Cluster", List.of("foyer-admins"));
    assertThat(atFirst.signIn("corp", "/ops").statusCode()).isEqualTo(303);

    SignInBrowser atSecond = new SignInBrowser("http://127.0.0.1:" + second.httpPort());
    atSecond.useCookie(atFirst.sessionCookie());
    JsonObject session = new JsonObject(atSecond.get("/api/auth/session").body());
    assertThat(session.getBoolean("signedIn")).isTrue();
    assertThat(session.getString("name")).isEqualTo("Carla Cluster");
    HttpResponse<String> created = atSecond.send("POST", "/api/events",
        io.foyer.testing.Api.event(new JsonObject().put("title", "Made at the second node")).encode(),
        session.getString("csrfToken"));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

    assertThat(atSecond.send("POST", "/api/auth/logout", null, session.getString("csrfToken")).statusCode())
        .isEqualTo(200);
    assertThat(new JsonObject(atFirst.get("/api/auth/session").body()).getBoolean("signedIn")).isFalse();
  }
}

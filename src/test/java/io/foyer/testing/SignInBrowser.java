package io.foyer.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * A browser's part of a sign-in without a browser: follows the redirects between Foyer and the provider by hand,
 * keeping Foyer's session cookie, so that a test can also replay a step or leave the CSRF header out.
 */
public final class SignInBrowser {

  private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final String foyer;
  private String cookie;
  private String lastSetCookie;
  /** The callback address the provider sent the browser to, last time. */
  private String lastCallback;

  public SignInBrowser(String foyerUrl) {
    this.foyer = foyerUrl;
  }

  public String sessionCookie() {
    return cookie;
  }

  /** Carries another browser's session cookie, as a request that reaches another node of the cluster does. */
  public void useCookie(String sessionCookie) {
    cookie = sessionCookie;
  }

  public String lastCallback() {
    return lastCallback;
  }

  /** GET, with the session cookie when there is one; a Set-Cookie of it is kept. */
  public HttpResponse<String> get(String url) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(absolute(url))).GET());
  }

  /** A request to Foyer with the session cookie, and with the CSRF header when csrfToken is not null. */
  public HttpResponse<String> send(String method, String path, String json, String csrfToken) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(absolute(path)))
        .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
        .header("Content-Type", "application/json");
    if (csrfToken != null) {
      request.header("X-CSRF-Token", csrfToken);
    }
    return send(request);
  }

  /**
   * Starts a sign-in at /auth/{provider}/login, lets the provider answer (it signs the queued person in at once),
   * and follows it back to Foyer's callback; answers Foyer's answer to the callback.
   */
  public HttpResponse<String> signIn(String provider, String returnTo) throws Exception {
    HttpResponse<String> login = get("/auth/" + provider + "/login?return=" + returnTo);
    if (login.statusCode() != 302) {
      return login;
    }
    HttpResponse<String> authorize = get(location(login));
    if (authorize.statusCode() != 302) {
      throw new AssertionError("the provider answered " + authorize.statusCode() + ": " + authorize.body());
    }
    lastCallback = location(authorize);
    return get(lastCallback);
  }

  public static String location(HttpResponse<?> response) {
    return response.headers().firstValue("Location").orElseThrow(() -> new AssertionError("no Location in "
        + response.statusCode() + " " + response.body()));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    if (cookie != null && request.build().uri().toString().startsWith(foyer)) {
      request.header("Cookie", cookie);
    }
    HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
    List<String> setCookies = response.headers().allValues("Set-Cookie");
    for (String setCookie : setCookies) {
      if (setCookie.startsWith("foyer_session=")) {
        lastSetCookie = setCookie;
        cookie = setCookie.substring(0, setCookie.indexOf(';') < 0 ? setCookie.length() : setCookie.indexOf(';'));
      }
    }
    return response;
  }

  /** The whole Set-Cookie header Foyer last sent for its session, with its attributes. */
  public String lastSetCookie() {
    return lastSetCookie;
  }

  private String absolute(String url) {
    return url.startsWith("http") ? url : foyer + url;
  }
}

package io.foyer.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.foyer.config.FoyerConfig.SsoProvider;
import io.foyer.sso.RoleGrant;
import io.foyer.sso.StaffRole;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sign-in providers as sections of the file and as FOYER_SSO_PROVIDERS_<ID>_<KEY> variables, and their errors. */
class SsoConfigTest {

  @TempDir
  Path dir;

  @Test
  void noProviderMeansNoSignIn() {
    assertThat(ConfigLoader.load(null, Map.of()).sso().enabled()).isFalse();
  }

  @Test
  void providersComeFromFileSectionsAndTheEnvironmentWithTheTemplatesDefaults() throws IOException {
    Path file = write("""
        sso:
          publicUrl: https://events.example.com/
          providers:
            corp:
              label: Example Corp
              issuer: https://login.example.com/realms/events
              clientId: foyer
              roles: "foyer-admins=organizer:*, event-{event}-speakers=presenter:{event}"
        """);
    FoyerConfig config = ConfigLoader.load(file, Map.of(
        "FOYER_SSO_PROVIDERS_CORP_CLIENT_SECRET", "s3cret",
        "FOYER_SSO_PROVIDERS_GOOGLE_ISSUER", "https://accounts.google.com",
        "FOYER_SSO_PROVIDERS_GOOGLE_CLIENT_ID", "123.apps.googleusercontent.com",
        "FOYER_SSO_PROVIDERS_GOOGLE_ATTENDEES", "true"));

    assertThat(config.sso().publicUrl()).isEqualTo("https://events.example.com");
    List<SsoProvider> providers = config.sso().providers();
    assertThat(providers).extracting(SsoProvider::id).containsExactly("corp", "google");
    SsoProvider corp = providers.get(0);
    assertThat(corp.label()).isEqualTo("Example Corp");
    assertThat(corp.clientSecret()).isEqualTo("s3cret");
    assertThat(corp.scopes()).containsExactly("openid", "profile", "email");
    assertThat(corp.rolesClaim()).isEqualTo("groups");
    assertThat(corp.roles().grants(List.of("event-42-speakers", "foyer-admins", "event-x-speakers")))
        .containsExactly(new RoleGrant(StaffRole.ORGANIZER, null), new RoleGrant(StaffRole.PRESENTER, 42L));
    SsoProvider google = providers.get(1);
    assertThat(google.label()).isEqualTo("google");
    assertThat(google.clientSecret()).isEmpty();
    assertThat(google.roles().grants(List.of("foyer-admins"))).isEmpty();
  }

  @Test
  void aProviderWithoutIssuerClientOrPublicUrlIsRefusedNamingTheKey() {
    Map<String, String> base = Map.of("FOYER_SSO_PUBLIC_URL", "https://events.example.com",
        "FOYER_SSO_PROVIDERS_CORP_CLIENT_ID", "foyer");
    assertThatThrownBy(() -> ConfigLoader.load(null, base))
        .hasMessageContaining("sso.providers.corp.issuer").hasMessageContaining("required");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("FOYER_SSO_PROVIDERS_CORP_ISSUER", "https://idp.example",
        "FOYER_SSO_PROVIDERS_CORP_CLIENT_ID", "foyer")))
        .hasMessageContaining("sso.publicUrl").hasMessageContaining("/auth/<id>/callback");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("FOYER_SSO_PUBLIC_URL", "https://events.example.com/x",
        "FOYER_SSO_PROVIDERS_CORP_ISSUER", "https://idp.example", "FOYER_SSO_PROVIDERS_CORP_CLIENT_ID", "foyer")))
        .hasMessageContaining("sso.publicUrl").hasMessageContaining("without a path");
  }

  @Test
  void badRoleRulesValuesAndKeysAreRefusedNamingTheKey() throws IOException {
    Map<String, String> provider = Map.of("FOYER_SSO_PUBLIC_URL", "https://events.example.com",
        "FOYER_SSO_PROVIDERS_CORP_ISSUER", "https://idp.example", "FOYER_SSO_PROVIDERS_CORP_CLIENT_ID", "foyer");
    assertThatThrownBy(() -> ConfigLoader.load(null, with(provider, "FOYER_SSO_PROVIDERS_CORP_ROLES", "admins=boss:*")))
        .hasMessageContaining("sso.providers.corp.roles").hasMessageContaining("'admins=boss:*'");
    assertThatThrownBy(() -> ConfigLoader.load(null,
        with(provider, "FOYER_SSO_PROVIDERS_CORP_ROLES", "speakers=presenter:{event}")))
        .hasMessageContaining("{event} must appear once");
    assertThatThrownBy(() -> ConfigLoader.load(null, with(provider, "FOYER_SSO_PROVIDERS_CORP_COLOUR", "red")))
        .hasMessageContaining("FOYER_SSO_PROVIDERS_CORP_COLOUR");
    assertThatThrownBy(() -> ConfigLoader.load(null, with(provider, "FOYER_SSO_PROVIDERS_CORP_ATTENDEES", "maybe")))
        .hasMessageContaining("sso.providers.corp.attendees").hasMessageContaining("true or false");
    Path file = write("""
        sso:
          providers:
            Corp_1:
              issuer: https://idp.example
        """);
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .hasMessageContaining("sso.providers.Corp_1.issuer").hasMessageContaining("lower-case letters and digits");
    Path typo = write("""
        sso:
          providers:
            corp:
              issuerUrl: https://idp.example
        """);
    assertThatThrownBy(() -> ConfigLoader.load(typo, Map.of())).hasMessageContaining("sso.providers.corp.issuerUrl");
  }

  private static Map<String, String> with(Map<String, String> base, String key, String value) {
    Map<String, String> all = new java.util.HashMap<>(base);
    all.put(key, value);
    return all;
  }

  private Path write(String yaml) throws IOException {
    Path file = Files.createTempFile(dir, "foyer", ".yaml");
    Files.writeString(file, yaml);
    return file;
  }
}

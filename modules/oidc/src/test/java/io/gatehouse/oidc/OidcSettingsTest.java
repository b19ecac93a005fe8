package io.gatehouse.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import io.gatehouse.config.ConfigDocument;
import io.gatehouse.config.ConfigException;
import io.gatehouse.config.ConfigProblem;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OidcSettingsTest {
  @TempDir Path dir;

  private static OidcSettings read(String oidcBlock) {
    ConfigDocument doc =
        ConfigDocument.parse("auth:\n  oidc:\n" + oidcBlock.indent(4), "proxy.yaml");
    OidcSettings settings = OidcSettings.read(doc.root().object("auth").object("oidc"));
    doc.requireValid();
    return settings;
  }

  private static List<String> problems(String oidcBlock) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> read(oidcBlock));
    assertThat(e).as("expected the block to be refused").isNotNull();
    return e.problems().stream().map(ConfigProblem::toString).toList();
  }

  private Path secretFile(String content) throws Exception {
    Path file = dir.resolve("oidc.secret");
    Files.writeString(file, content);
    return file;
  }

  @Test
  void readsEveryKeyAndTheSecretFromItsFileTrimmed() throws Exception {
    Path secret = secretFile("  s3cr3t-value\n");
    OidcSettings settings =
        read(
            """
            issuer: https://idp.example.com/realms/x
            client_id: gatehouse
            client_secret_file: %s
            scopes: [openid, email]
            username_claim: email
            roles_claim: groups
            claim_roles: { admins: [admin], devs: [dev, viewer], "*": [member] }
            default_roles: [viewer]
            """
                .formatted(secret));

    assertThat(settings.issuer()).isEqualTo(URI.create("https://idp.example.com/realms/x"));
    assertThat(settings.clientId()).isEqualTo("gatehouse");
    assertThat(settings.clientSecret()).contains("s3cr3t-value");
    assertThat(settings.scopes()).containsExactly("openid", "email");
    assertThat(settings.usernameClaim()).isEqualTo("email");
    assertThat(settings.rolesClaim()).isEqualTo("groups");
    assertThat(settings.claimRoles())
        .containsExactly(
            Map.entry("admins", List.of("admin")),
            Map.entry("devs", List.of("dev", "viewer")),
            Map.entry("*", List.of("member")));
    assertThat(settings.defaultRoles()).containsExactly("viewer");
  }

  @Test
  void onlyIssuerAndClientIdAreRequiredAndTheRestHasDefaults() {
    OidcSettings settings = read("{ issuer: https://idp.example.com, client_id: gatehouse }");

    assertThat(settings)
        .isEqualTo(
            OidcSettings.of(URI.create("https://idp.example.com"), "gatehouse", Optional.empty()));
    assertThat(settings.scopes()).containsExactly("openid", "profile", "email");
    assertThat(settings.usernameClaim()).isEqualTo("preferred_username");
    assertThat(settings.rolesClaim()).isEqualTo("groups");
    assertThat(settings.claimRoles()).isEmpty();
    assertThat(settings.defaultRoles()).isEmpty();
  }

  @Test
  void plainHttpIssuerIsAcceptedOnlyOnLoopback() {
    assertThat(read("{ issuer: 'http://127.0.0.1:8080/default', client_id: g }").issuer())
        .hasHost("127.0.0.1");
    assertThat(read("{ issuer: 'http://localhost:8080/default', client_id: g }").issuer())
        .hasHost("localhost");
    assertThat(read("{ issuer: 'http://[::1]:8080/default', client_id: g }").issuer())
        .hasHost("[::1]");

    assertThat(problems("{ issuer: 'http://idp.example.com', client_id: g }"))
        .singleElement(STRING)
        .startsWith("proxy.yaml: auth.oidc.issuer: issuer 'http://idp.example.com' must use https");
    assertThat(problems("{ issuer: 'http://10.0.0.1', client_id: g }"))
        .singleElement(STRING)
        .contains("auth.oidc.issuer: ", "must use https");
  }

  @Test
  void missingIssuerAndClientIdAreBothReportedAndNothingIsBuilt() {
    ConfigDocument doc = ConfigDocument.parse("auth:\n  oidc: { scopes: [openid] }\n", "p.yaml");
    assertThat(OidcSettings.read(doc.root().object("auth").object("oidc"))).isNull();
    ConfigException e = catchThrowableOfType(ConfigException.class, doc::requireValid);
    assertThat(e.problems().stream().map(ConfigProblem::toString))
        .containsExactly(
            "p.yaml: auth.oidc.issuer: missing required key",
            "p.yaml: auth.oidc.client_id: missing required key");
  }

  @Test
  void everyBadKeyIsReportedAtItsPath() {
    assertThat(
            problems(
                """
                issuer: 'ftp://idp.example.com'
                client_id: ""
                client_secret_file: /nonexistent/oidc.secret
                scopes: [email, "a b"]
                username_claim: ""
                roles_claim: [groups]
                claim_roles: { admins: [Admin], devs: dev }
                default_roles: [ok, "no_underscore"]
                scope: openid
                """))
        .containsExactly(
            "proxy.yaml: auth.oidc.issuer: invalid URI 'ftp://idp.example.com': scheme must be one"
                + " of https, http",
            "proxy.yaml: auth.oidc.client_id: must be a non-empty client id on one line",
            "proxy.yaml: auth.oidc.client_secret_file: cannot read /nonexistent/oidc.secret: no"
                + " such file",
            "proxy.yaml: auth.oidc.scopes[1]: invalid scope 'a b': printable ASCII without spaces,"
                + " quotes or backslashes",
            "proxy.yaml: auth.oidc.scopes: must include openid: without it the provider sends no"
                + " ID token",
            "proxy.yaml: auth.oidc.username_claim: must be a non-empty claim name on one line",
            "proxy.yaml: auth.oidc.roles_claim: expected a single value, got a list",
            "proxy.yaml: auth.oidc.claim_roles.admins[0]: invalid role name 'Admin': use 1 to 63"
                + " lowercase letters, digits and '-', starting and ending with a letter or digit",
            "proxy.yaml: auth.oidc.claim_roles.devs: expected a list, got 'dev'",
            "proxy.yaml: auth.oidc.default_roles[1]: invalid role name 'no_underscore': use 1 to 63"
                + " lowercase letters, digits and '-', starting and ending with a letter or digit",
            "proxy.yaml: auth.oidc.scope: unknown key (did you mean 'scopes'?)");
  }

  @Test
  void anIssuerWithAQueryIsRefused() {
    assertThat(problems("{ issuer: 'https://idp.example.com/?realm=x', client_id: g }"))
        .containsExactly(
            "proxy.yaml: auth.oidc.issuer: invalid issuer 'https://idp.example.com/?realm=x': an"
                + " issuer has no query or fragment");
  }

  @Test
  void aBadSecretFileIsReportedWithoutQuotingTheSecret() throws Exception {
    Path multiLine = secretFile("first-half\nsecond-half\n");
    assertThat(
            problems(
                "{ issuer: 'https://idp.example.com', client_id: g, client_secret_file: %s }"
                    .formatted(multiLine)))
        .singleElement(STRING)
        .isEqualTo(
            "proxy.yaml: auth.oidc.client_secret_file: "
                + multiLine
                + " must hold the client secret on one line, without control characters")
        .doesNotContain("first-half", "second-half");

    Path empty = secretFile(" \n");
    assertThat(
            problems(
                "{ issuer: 'https://idp.example.com', client_id: g, client_secret_file: %s }"
                    .formatted(empty)))
        .containsExactly(
            "proxy.yaml: auth.oidc.client_secret_file: " + empty + " holds an empty client secret");
  }

  @Test
  void toStringNeverShowsTheSecret() {
    OidcSettings settings =
        OidcSettings.of(URI.create("https://idp.example.com"), "g", Optional.of("hunter2-secret"));
    assertThat(settings.toString()).doesNotContain("hunter2").contains("clientSecret=(set)");
  }
}

package io.guestguard.console.login;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A console nobody could sign in to stops at start, naming the setting and the fix. */
class LoginCheckTest {

    private final LoginCheck check = new LoginCheck();

    @Test
    void noUsersAndNoOidcStopsTheConsoleWithTheSettingAndTheFix() {
        assertThatThrownBy(() -> check.check(new StartupEvent(), config(Map.of("quarkus.http.port", "9405"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("the console has no users, so nobody could sign in: quarkus.security.users.embedded.users.NAME is not set")
                .hasMessageContaining("quarkus.config.locations=/etc/guestguard/console-users.properties")
                .hasMessageContaining("quarkus.oidc.auth-server-url");
    }

    @Test
    void aUserOrOidcIsEnough() {
        assertThatCode(() -> check.check(new StartupEvent(), config(Map.of(
                "quarkus.security.users.embedded.users.alice", "00", "quarkus.security.users.embedded.roles.alice", "operator"))))
                .doesNotThrowAnyException();
        assertThatCode(() -> check.check(new StartupEvent(), config(Map.of("quarkus.oidc.auth-server-url", "https://sso.example/realms/ops"))))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> check.check(new StartupEvent(), config(Map.of("quarkus.oidc.auth-server-url", "https://sso.example/realms/ops",
                "quarkus.oidc.tenant-enabled", "false")))).as("OIDC turned off").isInstanceOf(IllegalStateException.class);
    }

    private static SmallRyeConfig config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(properties, "test", 100)).build();
    }
}

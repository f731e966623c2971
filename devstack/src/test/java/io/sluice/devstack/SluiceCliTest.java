package io.sluice.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.common.config.ConfigFlags;
import io.sluice.common.config.ConnectionKeys;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The {@code sluice} command line tells a rejected Kafka login that a subcommand lets escape as one
 * line naming the keys (SecuredKafkaIT runs {@code sluice routes} against a real broker).
 */
class SluiceCliTest {

  @Test
  void aRejectedLoginAnywhereInTheCauseChainIsOneLineNamingTheKeys() throws Exception {
    StringWriter err = new StringWriter();
    CommandLine routes = SluiceCli.commandLine().getSubcommands().get("routes");
    routes.setErr(new PrintWriter(err, true));
    Exception failure =
        new ExecutionException(
            new SaslAuthenticationException(
                "Authentication failed during authentication due to invalid credentials\n"
                    + "with SASL mechanism SCRAM-SHA-512"));

    int exit = SluiceCli.explainLoginFailure(failure, routes, null);

    assertThat(exit).isEqualTo(ConfigFlags.EXIT_BAD_CONFIG);
    assertThat(err.toString().strip())
        .doesNotContain("\n")
        .startsWith("Kafka rejected the SASL login: check " + ConnectionKeys.SASL_USERNAME)
        .contains(ConnectionKeys.SASL_PASSWORD)
        .endsWith("invalid credentials with SASL mechanism SCRAM-SHA-512");
  }

  @Test
  void anyOtherFailureIsLeftToPicocli() {
    CommandLine routes = SluiceCli.commandLine().getSubcommands().get("routes");
    IllegalStateException other = new IllegalStateException("no route topic");

    assertThatThrownBy(() -> SluiceCli.explainLoginFailure(other, routes, null)).isSameAs(other);
  }
}

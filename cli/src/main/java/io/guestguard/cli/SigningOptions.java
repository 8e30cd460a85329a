package io.guestguard.cli;

import io.guestguard.protocol.EventCodec;
import io.guestguard.protocol.trust.KeyFile;
import io.guestguard.protocol.trust.Role;
import io.guestguard.protocol.trust.Signer;
import io.guestguard.protocol.trust.SigningKey;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;

/**
 * The operator's signing key, for every subcommand that writes facts (mixed in): each record is
 * signed with it, so that the fleet knows which operator asked (docs/security.md).
 */
final class SigningOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--key", paramLabel = "FILE", defaultValue = "${env:GUESTGUARD_KEY}",
            description = "Your operator key file, as 'guestguard keys create --role operator' wrote it; every record is signed with it (default: GUESTGUARD_KEY). Without one, records go unsigned and a fleet that checks signatures refuses them.")
    Path key;

    /** The signer for the records this command writes; a key file that is not an operator's is a usage error. */
    Signer signer(EventCodec codec) {
        if (key == null) {
            mixee.commandLine().getErr().println("warning: no --key (or GUESTGUARD_KEY): the record goes unsigned; "
                    + "a fleet that checks signatures dead-letters it");
            return Signer.unsigned(codec);
        }
        return Signer.with(codec, read(mixee, key, Role.OPERATOR));
    }

    /** Who asks, as the record names them: the operator whose key signs it, else the local user (unsigned). */
    String operator() {
        return key == null ? System.getProperty("user.name", "unknown") : read(mixee, key, Role.OPERATOR).principal().name();
    }

    /** The private key in {@code file}, which must be {@code role}'s; otherwise a usage error naming the fix. */
    static SigningKey read(CommandSpec spec, Path file, Role role) {
        SigningKey read;
        try {
            read = KeyFile.readPrivate(file);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (read.principal().role() != role) {
            throw new ParameterException(spec.commandLine(), file + ": role: the key is " + read.principal()
                    + "'s, not an " + role.words() + "'s; give the " + role.words() + " key file");
        }
        return read;
    }
}

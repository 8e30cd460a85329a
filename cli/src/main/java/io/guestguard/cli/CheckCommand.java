package io.guestguard.cli;

import io.guestguard.protocol.PackageSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code guestguard check -f FILE}: Serviceguard's {@code cmcheckconf}, without touching Kafka. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Validates a package file, as cmcheckconf: prints a one-line summary, or every problem on stderr.",
        exitCodeOnInvalidInput = ExitCodes.USAGE, exitCodeOnExecutionException = ExitCodes.SOFTWARE,
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the file is valid", "1:the file is invalid or unreadable; every problem is listed",
                "64:wrong command line"})
final class CheckCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "The package's YAML file.")
    Path file;

    @Override
    public Integer call() {
        try {
            PackageSpec pkg = new PackageFileLoader().load(file);
            spec.commandLine().getOut().println(file + ": OK (" + summary(pkg) + ")");
            return ExitCodes.OK;
        } catch (InvalidPackageException e) {
            e.problems().forEach(spec.commandLine().getErr()::println);
            return ExitCodes.INVALID_PACKAGE;
        }
    }

    /** {@code package g1, 2 hosts, 2 applications}: enough to see that the right file was read. */
    static String summary(PackageSpec pkg) {
        return "package " + pkg.guest() + ", " + count(pkg.hosts().size(), "host") + ", "
                + count(pkg.applications().size(), "application");
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}

package io.guestguard.host.supervisor;

import io.guestguard.host.hypervisor.Hypervisor.GuestDefinition;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * How this host starts a guest it is told to start; the command names only the guest. For libvirt,
 * {@code GUEST.xml} in the guest folder is the domain's XML (else a minimal domain of the configured
 * memory and CPUs); for the simulated hypervisor, the guest is the configured command with
 * {@code {guest}} replaced by the guest id (typically its guest reporter with its guest file).
 */
public final class GuestCatalog {

    private final Path guestDir;
    private final List<String> commandTemplate;
    private final int memoryMiB;
    private final int vcpus;

    /**
     * @param guestDir where {@code GUEST.xml} domain definitions are, or {@code null}
     * @param commandTemplate the simulated guest's command, whitespace-separated, with {@code {guest}}; or empty
     */
    public GuestCatalog(Path guestDir, String commandTemplate, int memoryMiB, int vcpus) {
        this.guestDir = guestDir;
        this.commandTemplate = commandTemplate == null || commandTemplate.isBlank() ? List.of()
                : Arrays.asList(commandTemplate.trim().split("\\s+"));
        this.memoryMiB = memoryMiB;
        this.vcpus = vcpus;
    }

    public GuestDefinition definition(String guest) {
        List<String> command = commandTemplate.stream().map(arg -> arg.replace("{guest}", guest)).toList();
        return new GuestDefinition(guest, memoryMiB, vcpus, domainXml(guest).orElse(null), command);
    }

    private Optional<String> domainXml(String guest) {
        if (guestDir == null) {
            return Optional.empty();
        }
        Path xml = guestDir.resolve(guest + ".xml");
        try {
            return Files.exists(xml) ? Optional.of(Files.readString(xml)) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + xml, e);
        }
    }
}

package io.guestguard.host.hypervisor;

import io.guestguard.host.hypervisor.Hypervisor.GuestDefinition;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code guestguard.host.hypervisor=libvirt}, the product's adapter (the default): {@link LibvirtHypervisor}
 * on {@code libvirt.uri}, a migration target's libvirt on {@code libvirt.peer-uri}. A guest is
 * {@code GUEST.xml} in {@code guest-dir} when there is one, else a minimal domain of
 * {@code guest-memory-mib} and {@code guest-vcpus} (fit for libvirt's test driver only).
 */
public final class LibvirtAdapter implements HypervisorAdapter {

    public static final String NAME = "libvirt";

    /** libvirt's settings. */
    public record Settings(String uri, String peerUri, Path guestDir, int guestMemoryMiB, int guestVcpus) {

        public static Settings read(SettingsReader r) {
            return new Settings(r.optional("libvirt.uri").orElse("qemu:///system"),
                    r.optional("libvirt.peer-uri").orElse("qemu+ssh://{host}/system"),
                    r.optional("guest-dir").map(Path::of).orElse(null),
                    r.positiveInt("guest-memory-mib", 1024), r.positiveInt("guest-vcpus", 1));
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Connector configure(String ownHost, Path stateDir, SettingsReader reader) {
        Settings settings = Settings.read(reader);
        return new Connector() {
            @Override
            public Hypervisor connect(String host) throws HypervisorException {
                return LibvirtHypervisor.connect(host.equals(ownHost) ? settings.uri()
                        : settings.peerUri().replace("{host}", host));
            }

            @Override
            public GuestDefinition definition(String guest) {
                return new GuestDefinition(guest, settings.guestMemoryMiB(), settings.guestVcpus(),
                        domainXml(settings.guestDir(), guest), List.of());
            }
        };
    }

    private static String domainXml(Path guestDir, String guest) {
        if (guestDir == null) {
            return null;
        }
        Path xml = guestDir.resolve(guest + ".xml");
        try {
            return Files.exists(xml) ? Files.readString(xml) : null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + xml, e);
        }
    }
}
